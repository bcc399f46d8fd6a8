"""`python -m bench.rss PLATFORM FILE batches|whole N`: parse one file (in batches of N
messages, or whole), print the peak RSS of this process."""

from __future__ import annotations

import hashlib
import json
import resource
import sys
from pathlib import Path

from extractors.base import parse_batches, parse_file


def main() -> None:
    platform, path, mode, size = sys.argv[1], Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    data = path.read_bytes()
    source = f"{platform}/{path.name}"
    if mode == "whole":
        messages = parse_file(platform, source, data, batch_messages=len(data)).message_count
    else:
        sha256 = hashlib.sha256(data).hexdigest()
        # Consumed one batch at a time, as the loaders do.
        messages = sum(b.message_count for b in parse_batches(platform, source, data, sha256, size))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mib": round(peak, 1), "messages": messages}))


if __name__ == "__main__":
    main()
