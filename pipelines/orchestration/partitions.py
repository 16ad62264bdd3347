"""The as-of date as a Dagster partition: one partition per calendar day (UTC).

The partition key is the only place the as-of date enters a scheduled or launched run; the
ledger asset builds the run context from it. `end_offset=1` makes today's partition exist so
that the daily schedule (and `billing run --as-of <today>`) can bill the current date. The
first date is the setting `start_date` ($BILLING_START_DATE, default 2026-01-01).
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from pipelines.settings import settings

as_of_dates = dg.DailyPartitionsDefinition(
    start_date=settings().start_date.isoformat(), timezone="UTC", end_offset=1
)

# Each day's ledger is the previous day's ledger plus that day's bill run.
previous_as_of_date = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)


def dates_in_range(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every date from `first` to `last`, both included, in order."""
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def dates_of(context: dg.AssetExecutionContext) -> list[dt.date]:
    """The as-of dates of the partition key range a step was launched for, in order."""
    keys = context.partition_key_range
    return dates_in_range(dt.date.fromisoformat(keys.start), dt.date.fromisoformat(keys.end))
