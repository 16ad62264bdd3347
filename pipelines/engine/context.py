"""The run context: everything a bill run depends on besides its inputs, frozen.

A bill run is a function of (inputs, as-of date) (DEVELOPERS.md principle 3). The context is
built in one place (`RunContext.build`), from the Dagster partition or the command line,
and passed down; the engine and the models read nothing else: not the environment, not the
wall clock (the clock is part of the context, so that a test or a sandbox can fix it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

Mode = Literal["run", "simulate", "preview"]
MODES: tuple[str, ...] = ("run", "simulate", "preview")
ENGINES: tuple[str, ...] = ("duckdb",)


def utc_now() -> dt.datetime:
    """The wall clock in UTC, naive (how the warehouse stores timestamps)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class Scope:
    """Which subscriptions the run computes.

    `incremental` (the default) computes those whose inputs changed or whose next date came
    (sql/scope/run_scope.sql); `full` computes every subscription, which publishes the same
    documents.
    """

    full: bool = False

    @property
    def name(self) -> str:
        return "full" if self.full else "incremental"


@dataclass(frozen=True)
class RunContext:
    as_of: dt.date
    #: where "known on D" ends (domain.md §3): actions recorded before D + 1 00:00 UTC
    known_on: dt.datetime
    mode: Mode
    scope: Scope
    #: the last date whose charges the run values: the as-of date for a run
    horizon: dt.date
    engine: str
    started_at: dt.datetime
    clock: Callable[[], dt.datetime] = field(default=utc_now, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        as_of: dt.date,
        mode: Mode = "run",
        full: bool = False,
        engine: str = "duckdb",
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> RunContext:
        """The context of the bill run for `as_of`: the only constructor callers use."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
        return cls(
            as_of=as_of,
            known_on=dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
            mode=mode,
            scope=Scope(full=full),
            horizon=as_of,
            engine=engine,
            started_at=clock(),
            clock=clock,
        )

    def model_parameters(self, bill_run_id: str, engine_version: str) -> dict[str, object]:
        """What the models bind: the context's values and the run's identity. `finished_at`
        is read from the clock when the model that records it runs."""
        return {
            "as_of": self.as_of,
            "cutoff": self.known_on,
            "horizon": self.horizon,
            "mode": self.mode,
            "full_run": self.scope.full,
            "bill_run_id": bill_run_id,
            "engine_version": engine_version,
            "started_at": self.started_at,
            "finished_at": self.clock,
        }
