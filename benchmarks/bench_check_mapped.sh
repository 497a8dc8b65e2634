#!/usr/bin/env bash
# `lstmshape check` on 1,000 real-style training configs mapped by [tool.lstmshape] (the LSTM under
# model.encoder, a ${...} interpolation in every file, unrelated keys around it) in one call, against
# yamllint on the same files, whole processes side by side with hyperfine (target: ≤ 0.5 × yamllint).
# Usage: benchmarks/bench_check_mapped.sh [RUNS]   (a markdown table lands in benchmarks/results/)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
bin="$(python3 -c 'import os, sys; print(os.path.dirname(sys.executable))')"
lstmshape="$bin/lstmshape"; yamllint="$bin/yamllint"
[ -x "$yamllint" ] || yamllint="$(command -v yamllint)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/conf" benchmarks/results
for i in $(seq 1 1000); do
  cat > "$work/conf/run_$(printf %04d "$i").yaml" <<YAML
# a Lightning/Hydra-style training config, as a project keeps it
seed: $i
trainer:
  max_epochs: 30
  precision: 16
  gradient_clip_val: 0.5
model:
  d_model: $((i % 300 + 8))
  encoder:
    rnn_type: lstm
    input_dim: 80
    hidden_dim: \${model.d_model}
    n_layers: $((i % 3 + 2))
    bidirectional: true
    dropout: 0.1
  decoder:
    vocab_size: 500
    embed_dim: 256
data:
  train_manifest: data/train.jsonl
  batch_size: 16
  sample_rate: 16000
optim:
  name: adamw
  lr: 0.001
  betas: [0.9, 0.98]
YAML
done
cat > "$work/pyproject.toml" <<'TOML'
[project]
name = "bench"

[[tool.lstmshape.configs]]
files = ["conf/*.yaml"]
from = {lstm = "model.encoder", "data.batch_size" = "data.batch_size"}
TOML
printf 'rules:\n  line-length: disable\n' > "$work/.yamllint"
cd "$work"
"$lstmshape" check | tail -1   # all clean: the benchmark times real work
hyperfine -N --warmup 1 --runs "$runs" --export-markdown "$OLDPWD/benchmarks/results/mapped.md" \
  -n "yamllint (1,000 files)" "$yamllint conf" -n "lstmshape check (1,000 mapped files)" "$lstmshape check"
