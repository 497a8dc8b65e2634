#!/usr/bin/env bash
# `lstmshape infer` start-up against yamllint, whole processes side by side, with hyperfine:
#   infer one.yaml                  (goal: ≤ 2.0 × yamllint's time on the same file)
#   infer one.yaml --matrix --verify (goal: ≤ 4.0 × yamllint's time)
#   infer --help, check one.yaml    (for reference)
# Usage: benchmarks/bench_startup.sh [RUNS]   (a markdown table lands in benchmarks/results/)
set -euo pipefail
cd "$(dirname "$0")/.."
# Measure what a user runs: an installed package has its bytecode compiled (pip does it at install
# time); an editable checkout under PYTHONDONTWRITEBYTECODE=1 would recompile every module on every
# run. The warm-up runs write the bytecode once.
unset PYTHONDONTWRITEBYTECODE
runs="${1:-20}"
bin="$(python3 -c 'import os, sys; print(os.path.dirname(sys.executable))')"
lstmshape="$bin/lstmshape"; yamllint="$bin/yamllint"
[ -x "$yamllint" ] || yamllint="$(command -v yamllint)"
mkdir -p benchmarks/results
one=configs/bilstm.yaml
hyperfine -N -w 3 -r "$runs" --export-markdown benchmarks/results/startup.md \
  -n "yamllint" "$yamllint -d relaxed $one" \
  -n "infer" "$lstmshape infer $one" \
  -n "infer --matrix --verify" "$lstmshape infer $one --matrix --verify" \
  -n "infer --help" "$lstmshape infer --help" \
  -n "check" "$lstmshape check $one"
cat benchmarks/results/startup.md
