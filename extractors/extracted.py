"""What parsing one delivered file gives, whatever the platform's format."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class ExtractedFile:
    platform: str
    source_file: str  # path relative to the inbox, e.g. "oms/20261124_executions.fix"
    file_sha256: str
    # FIX: sorted distinct 35= values that were loaded; ISO 20022 / ISO 15022: sorted
    # distinct message formats loaded ("sese.024.001.10", "MT548")
    message_types: tuple[str, ...]
    message_count: int  # messages framed in the file
    skipped_session_messages: int
    tables: dict[str, pl.DataFrame]  # every raw table of the platform, typed, empty ones too
    quarantine: pl.DataFrame  # schemas.QUARANTINE
    is_quarantined_whole: bool  # the file as a whole is malformed: nothing in it parses
    # A batch of a file read in batches (extractors.batches) that found the file malformed
    # as a whole after earlier batches: those are void, this one replaces them.
    voids_previous: bool = False
