"""Fault injection for the sandbox platform server: a spec string, parsed and drawn from.

Grammar (whitespace ignored, case-insensitive names)::

    spec   := "" | "none" | item ("," item)*
    item   := name ["=" number]          a bare name means "=1"

Per-request faults (`number` is the probability that one request gets it; their sum
must be <= 1, since one request gets at most one of them):

    429        Too Many Requests with `Retry-After: <retry_after>`   listing, download, write-back
    500 502 503 504   that status with a JSON error body              listing, download, write-back
    timeout    no answer: the server waits `timeout_s` seconds, then closes the connection;
               on a write-back the effect IS recorded first (the answer is what is lost)
    truncate   download only: a 200 with a shortened body and a Content-Length that matches
               the shortened body (HTTP-wise a clean answer; the listing's size and sha256
               are how a client notices)
    cut        download only: the full Content-Length is announced, part of the body is sent,
               then the connection is closed (the client sees an incomplete read)

Listing faults:

    duplicate  probability, per file, that the listing also shows the file a second time
               under another id and name (`<stem>.redelivered<suffix>`) with the same bytes
    reorder    the listing is in a seeded shuffled order instead of name order (still one
               stable order, so cursor paging visits every file exactly once)
    out_of_order  custodian status messages arrive out of order: the custodian's listing
               is newest business date first (a newer status file is delivered before an
               older one), and every settlement status file is served with its messages in
               reverse order (a later status of an instruction before an earlier one); the
               listing's size and sha256 are those of the bytes served

Parameters:

    retry_after   seconds announced in Retry-After on a 429 (default 1)
    timeout_s     how long a `timeout` fault holds the request (default 2, at most 30)
    streak        at most this many faults in a row on the same request (same method, path,
                  query and Idempotency-Key); the next one is answered normally (default 3;
                  0 = no limit). With the default, a client making 4 attempts always gets through.

Draws are deterministic from the server's seed: the n-th occurrence of a given request
draws the same number on every run, whatever other requests interleave with it.
Example: "429=0.2,500=0.1,503=0.05,timeout=0.05,truncate=0.1,duplicate=0.1,reorder".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

# Per-request faults, in the order their probability bands are laid out on [0, 1).
REQUEST_FAULTS = ("429", "500", "502", "503", "504", "timeout", "truncate", "cut")
STATUS_FAULTS = ("429", "500", "502", "503", "504")
DOWNLOAD_ONLY_FAULTS = ("truncate", "cut")
MAX_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class FaultSpec:
    rates: dict[str, float] = field(default_factory=dict)  # per-request fault -> probability
    duplicate: float = 0.0
    reorder: bool = False
    out_of_order: bool = False
    retry_after: float = 1.0
    timeout_s: float = 2.0
    streak: int = 3

    @classmethod
    def parse(cls, spec: FaultSpec | str | None) -> FaultSpec:
        if isinstance(spec, FaultSpec):
            return spec
        if spec is None or spec.strip().lower() in ("", "none"):
            return cls()
        rates: dict[str, float] = {}
        options: dict[str, float] = {}
        for raw in spec.split(","):
            item = raw.strip()
            if not item:
                continue
            name, sep, value = item.partition("=")
            name = name.strip().lower()
            try:
                number = float(value) if sep else 1.0
            except ValueError:
                raise ValueError(f"fault {name!r}: {value.strip()!r} is not a number") from None
            if number < 0 or number != number:  # negative or NaN
                raise ValueError(f"fault {name!r}: must be >= 0, got {value.strip()}")
            if name in REQUEST_FAULTS or name == "duplicate":
                if number > 1:
                    raise ValueError(f"fault {name!r}: a rate is within [0, 1], got {number}")
                if name == "duplicate":
                    options[name] = number
                else:
                    rates[name] = number
            elif name in ("reorder", "out_of_order", "retry_after", "timeout_s", "streak"):
                options[name] = number
            else:
                known = ", ".join((*REQUEST_FAULTS, "duplicate", "reorder", "out_of_order"))
                raise ValueError(
                    f"unknown fault {name!r} in {spec!r}; faults: {known}; "
                    "parameters: retry_after, timeout_s, streak"
                )
        total = sum(rates.values())
        if total > 1 + 1e-9:
            raise ValueError(f"per-request fault rates add up to {total:g}, more than 1")
        timeout_s = options.get("timeout_s", 2.0)
        if timeout_s > MAX_TIMEOUT_S:
            raise ValueError(f"timeout_s is at most {MAX_TIMEOUT_S:g}, got {timeout_s:g}")
        streak = options.get("streak", 3)
        if streak != int(streak):
            raise ValueError(f"streak is a whole number, got {streak:g}")
        return cls(
            rates={name: rate for name, rate in rates.items() if rate > 0},
            duplicate=options.get("duplicate", 0.0),
            reorder=options.get("reorder", 0.0) > 0,
            out_of_order=options.get("out_of_order", 0.0) > 0,
            retry_after=options.get("retry_after", 1.0),
            timeout_s=timeout_s,
            streak=int(streak),
        )

    @property
    def active(self) -> bool:
        return bool(self.rates) or self.duplicate > 0 or self.reorder or self.out_of_order

    def describe(self) -> str:
        if not self.active:
            return "none"
        parts = [f"{name}={self.rates[name]:g}" for name in REQUEST_FAULTS if name in self.rates]
        if self.duplicate:
            parts.append(f"duplicate={self.duplicate:g}")
        if self.reorder:
            parts.append("reorder")
        if self.out_of_order:
            parts.append("out_of_order")
        parts += [
            f"retry_after={self.retry_after:g}",
            f"timeout_s={self.timeout_s:g}",
            f"streak={self.streak}",
        ]
        return ",".join(parts)

    def pick(self, u: float, applicable: tuple[str, ...]) -> str | None:
        """The per-request fault whose band holds `u` (in [0, 1)), if it applies here."""
        low = 0.0
        for name in REQUEST_FAULTS:
            rate = self.rates.get(name, 0.0)
            if low <= u < low + rate:
                return name if name in applicable else None
            low += rate
        return None


def unit_draw(seed: int, *parts: object) -> float:
    """A number in [0, 1) determined by the seed and the parts (stable across runs)."""
    text = "\x1f".join(str(part) for part in (seed, *parts))
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def reorders_messages(spec: FaultSpec, platform: str, name: str) -> bool:
    """Whether the `out_of_order` fault serves this file with its messages reversed."""
    return spec.out_of_order and platform == "custodian" and "settlement_status" in name


def reverse_messages(data: bytes) -> bytes:
    """A custodian status file with its messages in reverse order, bytes otherwise kept:
    FIN messages are the `{1:` blocks; XML messages the `<Message>` lines of the envelope."""
    if data.startswith(b"{1:"):
        blocks = data.split(b"{1:")[1:]
        return b"".join(b"{1:" + block for block in reversed(blocks))
    lines = data.splitlines(keepends=True)
    positions = [n for n, line in enumerate(lines) if line.startswith(b"<Message>")]
    if any(not lines[n].rstrip(b"\r\n").endswith(b"</Message>") for n in positions):
        raise ValueError("out_of_order: a <Message> spans several lines; cannot reorder")
    messages = [lines[n] for n in positions]
    for n, message in zip(positions, reversed(messages), strict=True):
        lines[n] = message
    return b"".join(lines)
