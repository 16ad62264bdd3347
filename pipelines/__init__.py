"""Batch subscription-billing pipeline: Dagster assets and the `billing` CLI over DuckDB."""
