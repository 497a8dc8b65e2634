"""A key of an lstm section mapped whole looks like a size of the LSTM, but nothing reads it.

`--from lstm=PATH` (or a [tool.lstmshape] group's `from = {lstm = "PATH"}`) takes from the
section at PATH only the settings lstmshape knows by name (input_size, hidden_size, num_layers and
their aliases); the project's own names are left alone. When one of those is the LSTM's size, the
check runs on a default or on the wrong number: NeMo's `pred_rnn_layers: 2` leaves num_layers at
1, ML-Agents' `memory.memory_size` is never seen. Reported at the key's line and column, with the
`--from lstm.KEY=PATH` that reads it (KEY from the key's words: `*layers*`, `depth` and `n_layer`
→ num_layers; `*proj*` → proj_size; `*input*`, `*feat*`, `in` → input_size; `*hidden*`,
`*unit*`, `*memory*`, `*neuron*`, `*cells*`, `rnn`, `lstm`, `gru`, `layer` → hidden_size; else
any KEY; Keras names them input_dim and units). Only for sections mapped whole: never for
lstmshape's own configs, which name every key they hold (LS004).

Which keys: any key inside the section, nested ones too, that (1) holds an integer, a list of
them, or a reference still to resolve (`${...}`, `!ref <...>`, `???`); (2) has in its name
`layer`, `hidden`, `unit`, `size`, `dim`, `memory`, `neuron`, `feat`, `cells` or `depth`, or
starts with the word `n` or `num` (`n_mels`, `num_blocks`); (3) is not another part's: no key on
its way within the section has a word containing batch, vocab, epoch, step, worker, gpu, seed,
shard, buffer, cache, queue, sample, kernel, filt, stride, conv, pool, patch, image, class, label,
beam, window, fft, token, optim, sched, attention or iter, nor a word that is out, output, outputs,
head, heads, lr, hop, win, img, att or mlp; and (4) nothing reads it: not taken by name, not
mapped by another `--from`, not reached by an interpolation or `!ref` of a value read. No warning
where the setting it would map is already mapped by name (`--from/--set lstm.KEY`): a choice.

Flagged (under `--from lstm=model.decoder.prednet`): `pred_rnn_layers: 2`, `pred_hidden:
${model.model_defaults.pred_hidden}`; under `--from lstm=behaviors.Hallway.network_settings`:
`hidden_units: 128`, `memory: {memory_size: 256}`, `hidden_sizes: [128, 64]`, `n_cells: 64`.
Not flagged: `batch_size: 32`, `vocab_size: 500`, `num_workers: 4`, `econv_layers: 3`,
`output_size: 10`, `head: {hidden_dim: 64}`, `dropout: 0.2`, `pin_memory: true`,
`hidden_act: relu`, `sequence_length: 64`, `feat_dim: 40` when `input_size: ${feat_dim}` is read.

Failing example, mapped with `--from lstm=decoder.prednet`::

    decoder:
      prednet:
        hidden_size: 640
        input_size: 640
        pred_rnn_layers: 2

Passing example, mapped with `--from lstm=decoder.prednet --from lstm.num_layers=decoder.prednet.pred_rnn_layers`::

    decoder:
      prednet:
        hidden_size: 640
        input_size: 640
        pred_rnn_layers: 2
"""

from .. import codes

CODE = codes.UNREAD_SIZE_KEY
ID, NAME, SUMMARY, SEVERITY = CODE, CODE.name, CODE.summary, CODE.severity
check = None  # found while applying the mapping (lstmshape.read.mapping), which only then knows what is read
