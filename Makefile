# The two set-up commands of the README: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python -m bot run

test: install
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python bench/matcher.py
	$(BIN)/python bench/telegram.py
	$(BIN)/python bench/checklists.py
	$(BIN)/python bench/announcements.py

eval: install
	$(BIN)/python -m bot eval

.PHONY: install run test bench eval
