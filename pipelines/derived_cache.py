"""What a process derives from the release's own files, kept between processes.

Every bill run needs the parsed model catalog (sqlglot parses and expands ~80 models: about
0.5 s) and the upstream DDL generated from the pandera models (importing pandera: about
0.4 s). Neither depends on the data, so a short daily run would spend most of its time
re-deriving them. `derived` keeps each result in a file named by a digest of everything it is
derived from (the source files' bytes and the versions of Python and the libraries that
derive it); a changed file, an upgrade or a corrupt entry means the value is derived again.
Only this user's cache directory is read (settings: $BILLING_CACHE_DIR), never a shared one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

from pipelines.settings import settings

T = TypeVar("T")

#: the libraries whose behaviour a derived value depends on
LIBRARIES = ("sqlglot", "pandera", "polars")
#: entries kept per name
KEEP = 8


def derived(name: str, sources: Iterable[Path], build: Callable[[], T],
            cache_dir: Path | None = None) -> T:
    """`build()`, or its result kept from an earlier process with the same sources."""
    directory = cache_dir or settings().cache_dir
    path = directory / f"{name}-{_digest(sources)}.pickle"
    try:
        kept: bytes | None = path.read_bytes()
    except OSError:
        kept = None
    if kept is not None:
        try:
            return pickle.loads(kept)
        except Exception:  # noqa: BLE001 - a corrupt entry is derived again and replaced
            pass
    value = build()
    _store(directory, name, path, value)
    return value


def _digest(sources: Iterable[Path]) -> str:
    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        digest.update(f"\0{library}={metadata.version(library)}".encode())
    for source in sorted(sources):
        digest.update(b"\0" + str(source).encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()[:24]


def _store(directory: Path, name: str, path: Path, value: object) -> None:
    """Write the entry atomically (two processes may derive it at once) and keep the
    KEEP newest entries of `name` (other checkouts or releases may share the directory); a
    directory that cannot be written only costs the time."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=f".{name}-",
                                         delete=False) as file:
            file.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(file.name, path)
        entries = sorted(directory.glob(f"{name}-*.pickle"), key=lambda p: p.stat().st_mtime)
        for stale in entries[:-KEEP]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
