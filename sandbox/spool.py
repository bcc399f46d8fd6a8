"""Message files written in SendingTime order without holding a whole day in memory.

The generator produces messages order by order, so one file's messages arrive out of
time order. A `MessageSpool` keeps message bodies in memory up to a chunk size, spills
sorted chunks to temporary files, and at the end merges the chunks (an external merge
sort), numbering MsgSeqNum from 1 and framing each message as it is written. Ties on
SendingTime keep generation order, so the output is a stable sort and reproducible.
"""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sandbox.fix_writer import SOH, frame, header, utc_timestamp_ms

# Messages held in memory before a sorted chunk is spilled to disk.
CHUNK_SIZE = 250_000

_KEY_WIDTH = 24  # 15 digits of epoch milliseconds + 9 digits of generation order


class MessageSpool:
    """Collects one file's messages (bodies after the header) and writes them sorted."""

    def __init__(
        self,
        path: Path,
        *,
        msg_type: str,
        sender: str,
        target: str,
        delimiter: str = SOH,
        line_end: bytes = b"\n",
        chunk_size: int | None = None,
    ) -> None:
        self.path = path
        self.msg_type = msg_type
        self.sender = sender
        self.target = target
        self.delimiter = delimiter
        self.line_end = line_end
        self.chunk_size = chunk_size or CHUNK_SIZE
        self.count = 0
        self._buffer: list[str] = []
        self._chunks: list[Path] = []
        self._tmpdir: tempfile.TemporaryDirectory[str] | None = None

    def add(self, sending_ms: int, body: str) -> None:
        """A message sent at `sending_ms` (epoch ms); `body` is SOH-delimited, after tag 52."""
        if "\n" in body or "\t" in body:
            raise ValueError("message body must not contain tabs or newlines")
        self._buffer.append(f"{sending_ms:015d}{self.count:09d}\t{body}")
        self.count += 1
        if len(self._buffer) >= self.chunk_size:
            self._spill()

    def _spill(self) -> None:
        if self._tmpdir is None:
            # Spill beside the output: same disk, and cleaned up even if the run fails.
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._tmpdir = tempfile.TemporaryDirectory(prefix="spool-", dir=self.path.parent)
        self._buffer.sort()
        chunk = Path(self._tmpdir.name) / f"{len(self._chunks):05d}.chunk"
        with chunk.open("w", encoding="ascii", newline="\n") as out:
            for record in self._buffer:
                out.write(record)
                out.write("\n")
        self._chunks.append(chunk)
        self._buffer = []

    def _sorted_records(self) -> Iterator[str]:
        self._buffer.sort()
        if not self._chunks:
            yield from self._buffer
            return
        files = [chunk.open("r", encoding="ascii", newline="\n") for chunk in self._chunks]
        try:
            streams = [(line.rstrip("\n") for line in f) for f in files]
            # Keys are fixed-width digits, so string order is (time, generation) order.
            yield from heapq.merge(*streams, iter(self._buffer))
        finally:
            for f in files:
                f.close()

    def write(self) -> int:
        """Write the file (replacing any previous one); returns the number of messages."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with self.path.open("wb", buffering=1 << 20) as out:
                self._write_sorted(out)
        finally:
            if self._tmpdir is not None:
                self._tmpdir.cleanup()
                self._tmpdir = None
            self._buffer = []
            self._chunks = []
        return self.count

    def _write_sorted(self, out: BinaryIO) -> None:
        for seq_num, record in enumerate(self._sorted_records(), start=1):
            sending = utc_timestamp_ms(int(record[:15]))
            head = header(self.msg_type, self.sender, self.target, seq_num, sending)
            out.write(frame(head + record[_KEY_WIDTH + 1 :], self.delimiter))
            out.write(self.line_end)
