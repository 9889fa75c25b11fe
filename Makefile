# Two commands matter: `make run` and `make test`. Both set up .venv first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format diagram bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Start the coach: on Telegram when TELEGRAM_BOT_TOKEN is set, else a terminal chat.
run: $(STAMP)
	$(BIN)/rekindle start

## Lint, check formatting, check the committed stage diagram, run every test.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

diagram: $(STAMP)
	$(BIN)/rekindle diagram > docs/stages.mmd

## Print the speed and memory figures (benchmarks/*.py; nudges.py takes ~6 minutes).
bench: $(STAMP)
	$(BIN)/python benchmarks/engine_turns.py
	$(BIN)/python benchmarks/analyzers.py
	$(BIN)/python benchmarks/telegram_e2e.py
	test ! -f benchmarks/nudges.py || $(BIN)/python benchmarks/nudges.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
