# One command per concern; CI calls these targets unchanged.
.PHONY: setup demo test test-fast lint types bench

setup:
	scripts/setup.sh

demo: setup
	.venv/bin/hecha demo

test:
	scripts/setup.sh --dev
	scripts/test.sh

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

types:
	.venv/bin/mypy

bench:
	.venv/bin/python benchmarks/run_all.py
