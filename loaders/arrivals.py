"""New files on a platform: what a sensor launches a run for.

The ingestion ledger is the truth (a file is new when its content hash is not in it); the
cursor is only an optimisation (files whose name and size/mtime, or listed hash, did not
change since the last look are not hashed again). A file that was found but not yet
ingested stays out of the cursor, so it is looked at again until the ledger has it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from extractors.transport import InboxFile, refusal_sha256
from loaders.ingest import PlatformTransport


@dataclass(frozen=True)
class Arrival:
    relative_path: str
    sha256: str


def file_signature(file: InboxFile) -> str:
    """What tells that a file changed without reading it: the API's hash, else size+mtime."""
    if file.refused_reason:
        return refusal_sha256(file)
    listed_hash = getattr(file, "sha256", None)
    if listed_hash:
        return listed_hash
    status = file.path.stat()
    return f"{status.st_size}:{status.st_mtime_ns}"


def new_arrivals(
    transport: PlatformTransport,
    platform: str,
    seen: Mapping[str, str],
    ingested: Callable[[Iterable[str]], set[str]],
) -> tuple[list[Arrival], dict[str, str]]:
    """Files of `platform` not in the ledger, and the cursor to keep for the next look."""
    files = transport.list_files(platform)
    signatures = {file.relative_path: file_signature(file) for file in files}
    changed = [
        file for file in files if seen.get(file.relative_path) != signatures[file.relative_path]
    ]
    hashed = [(file, _content_hash(transport, file)) for file in changed]
    known = ingested({sha256 for _, sha256 in hashed})
    arrivals = [
        Arrival(file.relative_path, sha256) for file, sha256 in hashed if sha256 not in known
    ]
    waiting = {arrival.relative_path for arrival in arrivals}
    cursor = {path: sig for path, sig in signatures.items() if path not in waiting}
    return arrivals, cursor


def _content_hash(transport: PlatformTransport, file: InboxFile) -> str:
    if file.refused_reason:
        return refusal_sha256(file)
    return getattr(file, "sha256", None) or transport.read(file).sha256
