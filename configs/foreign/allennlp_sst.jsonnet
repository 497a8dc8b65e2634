// An allennlp sentiment classifier (Stanford Sentiment Treebank): GloVe vectors and ELMo-style
// character features concatenated, an LSTM encoder, a feedforward classifier.
local embedding_dim = std.parseInt(std.extVar("EMBEDDING_DIM"));
local char_dim = 128;
local hidden_dim = 200;

local encoder = {
  type: "lstm",
  input_size: embedding_dim + char_dim,
  hidden_size: hidden_dim,
  num_layers: 2,
  bidirectional: true,
  dropout: 0.2,
};

{
  dataset_reader: { type: "sst_tokens", granularity: "5-class", },
  train_data_path: std.extVar("TRAIN_DATA_PATH"),
  model: {
    type: "basic_classifier",
    text_field_embedder: {
      token_embedders: {
        tokens: { type: "embedding", embedding_dim: embedding_dim, trainable: false, },
        token_characters: { type: "character_encoding", embedding: { embedding_dim: 16 }, },
      },
    },
    seq2vec_encoder: encoder,
    feedforward: {
      input_dim: 2 * hidden_dim,
      num_layers: 1,
      hidden_dims: [64],
      activations: ["relu"],
    },
    dropout: 0.5,
  },
  data_loader: { batch_size: 32, shuffle: true, },
  trainer: { num_epochs: 40, optimizer: { type: "adam", lr: 0.001, }, },
}
