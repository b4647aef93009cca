# Two commands for a fresh machine (see README):
#   make demo   installs saicot with CPU vLLM into .venv and runs the default job
#   make test   installs saicot with test extras into .venv and runs the whole test suite
PYTHON ?= python3
VENV ?= .venv
EXTRAS ?= cpu
BIN := $(VENV)/bin

.PHONY: install install-test demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	bash scripts/install.sh $(VENV) "$(EXTRAS)"

install-test: $(BIN)/python
	bash scripts/install.sh $(VENV) "$(EXTRAS),test"

demo: install
	$(BIN)/saicot run

test: install-test
	$(BIN)/ruff check pipeline retriever prompts eval tests bench
	$(BIN)/python -m pytest -q -ra --durations=15 -n 2

lint:
	$(BIN)/ruff check pipeline retriever prompts eval tests bench

clean:
	rm -rf $(VENV) build *.egg-info
