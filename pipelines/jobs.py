"""The bill-run job: the published ledger and its payment outbox, one as-of date per run.

Its partitions are the assets' (as-of dates), and its asset checks come with the selection,
so a scheduled run also runs the blocking invariant checks between the ledger and the outbox.
"""

from __future__ import annotations

import dagster as dg

from pipelines.assets import payment_requests_outbox, published_ledger

bill_run_job = dg.define_asset_job(
    "bill_run_job",
    selection=dg.AssetSelection.assets(published_ledger, payment_requests_outbox),
    description="One bill run per as-of date: publish the ledger, check it, fill the outbox.",
)
