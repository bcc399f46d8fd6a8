"""Large files in batches: a file's messages parsed N at a time, so memory stays bounded.

A FIX or SWIFT MT file is cut into byte ranges at message starts (`8=FIX`, `{1:`) and each
range is parsed alone, as a file of its own; its message indexes and line numbers are then
shifted to the whole file's. A message never spans two ranges, and what lies between
messages (garbage lines) stays with the message before it, so the rows and quarantine
rows of all batches together are those of the whole file parsed at once
(tests/extractors/test_batches.py checks it for every fixture). ISO 20022 XML is streamed
by iterparse and cut every N Documents (extractors.xml_files).

The file's status comes with the last batch: quarantined whole when no batch parsed any
message. A batch with `voids_previous` (XML found not well-formed after a few batches)
replaces every batch before it, as a whole-file quarantine does.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace

import polars as pl

from extractors.extracted import ExtractedFile

# Messages per batch: large enough that per-batch costs vanish, small enough that a
# batch's frames stay in the tens of MB.
BATCH_MESSAGES = 50_000


def every_nth(starts: Iterable[int], size: int) -> list[int]:
    """Batch boundaries: 0, the start of message size+1, of 2*size+1, ... (no end)."""
    return [0, *(pos for k, pos in enumerate(starts) if k and k % size == 0)]


def newlines(segment: bytes) -> int:
    """Lines a FIX file's segment spans (FIX line numbers count LF)."""
    return segment.count(b"\n")


def line_breaks(segment: bytes) -> int:
    """Lines an MT file's segment spans: CRLF, LF and a lone CR each end a line."""
    return segment.count(b"\n") + segment.count(b"\r") - segment.count(b"\r\n")


def in_ranges(
    data: bytes,
    bounds: list[int],
    parse_range: Callable[[bytes], ExtractedFile],
    count_lines: Callable[[bytes], int],
) -> Iterator[ExtractedFile]:
    """Parse data[bounds[k]:bounds[k+1]] one after the other, shifted into file positions.

    `parse_range` parses a range as a file of its own and flags it quarantined whole when
    none of its messages parsed; only the last batch keeps that flag, for the whole file.
    """
    ends = [*bounds[1:], len(data)]
    messages = lines = 0
    any_parsed = False
    for k, (begin, end) in enumerate(zip(bounds, ends, strict=True)):
        if k:
            lines += count_lines(data[bounds[k - 1] : begin])
        part = parse_range(data[begin:end])
        any_parsed = any_parsed or not part.is_quarantined_whole
        last = k == len(bounds) - 1
        yield shifted(part, messages, lines, is_quarantined_whole=last and not any_parsed)
        messages += part.message_count


def shifted(
    part: ExtractedFile, messages: int, lines: int, is_quarantined_whole: bool
) -> ExtractedFile:
    """A range's batch with message indexes and line numbers as in the whole file."""
    if messages or lines:
        shift = [
            pl.col("message_index") + messages,
            pl.col("line_number") + lines,
        ]
        part = replace(
            part,
            tables={name: frame.with_columns(shift) for name, frame in part.tables.items()},
            quarantine=part.quarantine.with_columns(shift),
        )
    return replace(part, is_quarantined_whole=is_quarantined_whole)


def combined(batches: Iterable[ExtractedFile]) -> ExtractedFile:
    """The batches of one file as one ExtractedFile (what parsing it at once gives)."""
    kept: list[ExtractedFile] = []
    for batch in batches:
        if batch.voids_previous:
            kept = []
        kept.append(batch)
    if not kept:
        raise ValueError("a file gives at least one batch")
    last = kept[-1]
    if len(kept) == 1:
        return replace(last, voids_previous=False)
    return ExtractedFile(
        platform=last.platform,
        source_file=last.source_file,
        file_sha256=last.file_sha256,
        message_types=tuple(sorted(set(itertools.chain(*(b.message_types for b in kept))))),
        message_count=sum(b.message_count for b in kept),
        skipped_session_messages=sum(b.skipped_session_messages for b in kept),
        tables={name: pl.concat([b.tables[name] for b in kept]) for name in last.tables},
        quarantine=pl.concat([b.quarantine for b in kept]),
        is_quarantined_whole=last.is_quarantined_whole,
    )
