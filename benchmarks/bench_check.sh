#!/usr/bin/env bash
# `lstmshape check` against yamllint, whole processes side by side, with hyperfine:
#   one config           (target: ≤ 1.0 × yamllint's time)
#   1,000 configs, 1 call (target: ≤ 0.5 × yamllint's time)
# Usage: benchmarks/bench_check.sh [RUNS]   (markdown tables land in benchmarks/results/)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
# The real console scripts beside this python (not pyenv shims, which add a bash start-up to both).
bin="$(python3 -c 'import os, sys; print(os.path.dirname(sys.executable))')"
lstmshape="$bin/lstmshape"; yamllint="$bin/yamllint"
[ -x "$yamllint" ] || yamllint="$(command -v yamllint)"
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
mkdir -p "$work/many" benchmarks/results
cat > "$work/one.yaml" <<'YAML'
# a realistic config: a stack, a packed batch, a head and the shapes the code expects
lstm:
  - {input_size: 80, hidden_size: 256, num_layers: 2, bidirectional: true, dropout: 0.1}
  - {hidden_size: 128, proj_size: 64}
data: {batch_size: 8, seq_len: 300, lengths: [300, 280, 200, 150, 120, 90, 60, 30]}
head:
  - linear: {in_features: 64, out_features: 32, input: hn_last}
  - relu
  - linear: {in_features: 32, out_features: 10}
expect:
  - {h0: [4, 8, 256], output: [300, 8, 512]}
  - {hn: [1, 8, 64], cn: [1, 8, 128]}
YAML
for i in $(seq 1 1000); do
  h=$((i % 300 + 8))
  sed "s/hidden_size: 256/hidden_size: $h/; s/h0: \[4, 8, 256\]/h0: [4, 8, $h]/; s/output: \[300, 8, 512\]/output: [300, 8, $((2 * h))]/" \
    "$work/one.yaml" > "$work/many/config_$(printf %04d "$i").yaml"
done
"$lstmshape" check "$work/one.yaml" "$work/many" | tail -1   # all clean: the benchmark times real work
printf 'rules:\n  line-length: disable\n' > "$work/.yamllint"   # default rules otherwise; same files
cd "$work"
hyperfine -N --warmup 3 --runs "$runs" --export-markdown "$OLDPWD/benchmarks/results/one.md" \
  -n "yamllint (1 file)" "$yamllint one.yaml" -n "lstmshape check (1 file)" "$lstmshape check one.yaml"
hyperfine -N --warmup 1 --runs "$(( runs < 10 ? runs : 10 ))" --export-markdown "$OLDPWD/benchmarks/results/many.md" \
  -n "yamllint (1,000 files)" "$yamllint many" -n "lstmshape check (1,000 files)" "$lstmshape check many"
