"""Deterministic, realistic upstream data sets for demos, tests and benchmarks."""

from .generator import TABLES, build_tables, write_seed

__all__ = ["TABLES", "build_tables", "write_seed"]
