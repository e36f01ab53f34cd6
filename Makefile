# The commands CI and contributors run.
PY ?= .venv/bin/python

.PHONY: install ci test lint format typecheck eval bench

install:
	python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'

# What .ci/run checks after installing: lint, format, types, then the tests.
ci: lint typecheck test

test:
	$(PY) -m pytest -q

lint:
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format:
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

typecheck:
	$(PY) -m mypy features scorer api

eval:
	$(PY) scripts/eval_translation.py
	$(PY) scripts/eval_boilerplate.py
	$(PY) scripts/eval_dates.py
	$(PY) scripts/eval_sourcing.py
	$(PY) scripts/eval_readability.py

bench:
	$(PY) bench/bench_score.py
