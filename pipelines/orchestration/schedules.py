"""The daily bill run: every day at 02:00 UTC, the partition of that day's as-of date.

The as-of partitions end one day ahead (`end_offset=1`), so the schedule's latest partition is
the current date: the run at 02:00 bills what is due today with what was recorded by then;
actions recorded later today are seen by tomorrow's run (domain.md §3).
"""

from __future__ import annotations

import dagster as dg

from pipelines.orchestration.jobs import bill_run_job

daily_bill_run = dg.build_schedule_from_partitioned_job(
    bill_run_job, name="daily_bill_run", hour_of_day=2, minute_of_hour=0
)
