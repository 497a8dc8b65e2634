#!/usr/bin/env bash
# Start-up of whole processes side by side, with hyperfine, against two Python CLIs that many
# repositories run as pre-commit hooks: check-jsonschema (click-based) and yamllint.
#   check one.yaml   (goal: no slower than `check-jsonschema --schemafile s.json one.yaml`)
#   infer one.yaml   (goal: ≤ 1.5 × check-jsonschema's time)
#   infer one.yaml --matrix --verify, infer --help (for reference)
# Usage: benchmarks/bench_startup.sh [RUNS]   (a markdown table lands in benchmarks/results/)
# Needs hyperfine (apt), check-jsonschema and yamllint (pip) in the environment of lstmshape.
set -euo pipefail
cd "$(dirname "$0")/.."
# Measure what a user runs: an installed package has its bytecode compiled (pip does it at install
# time); an editable checkout under PYTHONDONTWRITEBYTECODE=1 would recompile every module on every
# run. The warm-up runs write the bytecode once.
unset PYTHONDONTWRITEBYTECODE
runs="${1:-20}"
bin="$(python3 -c 'import os, sys; print(os.path.dirname(sys.executable))')"
lstmshape="$bin/lstmshape"; yamllint="$bin/yamllint"; cjs="$bin/check-jsonschema"
[ -x "$yamllint" ] || yamllint="$(command -v yamllint)"
[ -x "$cjs" ] || cjs="$(command -v check-jsonschema)"
mkdir -p benchmarks/results
one=configs/bilstm.yaml
schema="$(mktemp --suffix=.json)"
trap 'rm -f "$schema"' EXIT
echo '{"type": "object", "required": ["lstm"]}' > "$schema"
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
hyperfine -N -w 3 -r "$runs" --export-markdown benchmarks/results/startup.md \
  -n "check-jsonschema" "$cjs --schemafile $schema $one" \
  -n "yamllint" "$yamllint -d relaxed $one" \
  -n "check" "$lstmshape check $one" \
  -n "infer" "$lstmshape infer $one" \
  -n "infer --matrix --verify" "$lstmshape infer $one --matrix --verify" \
  -n "infer --help" "$lstmshape infer --help"
cat benchmarks/results/startup.md
