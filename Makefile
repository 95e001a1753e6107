# Two commands on a fresh machine: `make demo` and `make test`.
# `make demo` runs `wengert demo` (the lectures' worked examples, every number checked).
# Each target creates .venv on first use and installs what it needs; stamp
# files make the second run instant.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q

.PHONY: demo test bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-base: pyproject.toml | $(PY)
	$(PIP) install -e .
	touch $@

$(VENV)/.stamp-dev: pyproject.toml | $(PY)
	$(PIP) install -e '.[dev]'
	touch $@

$(VENV)/.stamp-bench: pyproject.toml | $(PY)
	$(PIP) install -e '.[dev,bench]'
	touch $@

demo: $(VENV)/.stamp-base
	$(VENV)/bin/wengert demo

test: $(VENV)/.stamp-dev
	@sh tools/ensure-graphviz
	$(PY) -m pytest

bench: $(VENV)/.stamp-bench
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
