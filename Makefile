# One command per concern; CI calls these targets unchanged.
.PHONY: setup demo test test-fast lint types bench report-images

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
	.venv/bin/lint-imports

types:
	.venv/bin/mypy

bench:  # on demand; each prints its table (see benchmarks/RESULTS.md)
	.venv/bin/python benchmarks/linkage_accuracy.py
	.venv/bin/python benchmarks/findings_accuracy.py
	.venv/bin/python benchmarks/favour_recall.py
	.venv/bin/python benchmarks/linkage_scale.py
	.venv/bin/python benchmarks/pipeline_scale.py

report-images:  # docs/report-*.png: first pages of the demo county's monthly and campaign reports
	PYTHONPATH=$(CURDIR) HECHA_HOME=$(CURDIR)/var/report-images-home .venv/bin/python scripts/report_images.py
