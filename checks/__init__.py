"""Ingestion and data-quality gates (data contract v1 §1).

Public API: `checks.ingest.load_dataset` / `source_summary` → `hecha.dataset.Dataset`;
`checks.expectations.run_checks` → `checks.report.CheckReport`.
"""
