"""The bill-run job: the published ledger and its payment outbox, one as-of date per run.

The one way a bill run is executed: by the daily schedule, by a backfill launched in the
Dagster UI, and by the `billing` command line (launch.py), so every run is recorded in the
Dagster instance with its partition, checks and logs. Its partitions are the assets' (as-of
dates), and the ledger's checks come with the selection: blocking, between the ledger and the
outbox.
"""

from __future__ import annotations

import dagster as dg

from pipelines.orchestration.assets import payment_requests_outbox, published_ledger

bill_run_job = dg.define_asset_job(
    "bill_run_job",
    selection=dg.AssetSelection.assets(published_ledger, payment_requests_outbox),
    description="One bill run per as-of date: publish the ledger, check it, fill the outbox.",
)
