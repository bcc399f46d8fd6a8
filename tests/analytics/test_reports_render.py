"""`posttrade report` over the five-day warehouse: every shipped report in every format, and
the fails-by-counterparty page's chart rendered by headless Chromium."""

from __future__ import annotations

import csv
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from posttrade.cli import main
from posttrade.reports.chart import BAR_COLOUR
from posttrade.reports.runner import REPORTS_DIR
from posttrade.settings import WarehouseSettings

CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def chromium() -> str:
    found = next((shutil.which(name) for name in CHROMIUM if shutil.which(name)), None)
    if found:
        return found
    reason = "Chromium is not installed (apt-get install -y chromium)"
    # CI (POSTTRADE_REQUIRE_PG=1, .ci/run) installs it: there a missing browser is a failure.
    if os.environ.get("POSTTRADE_REQUIRE_PG") == "1":
        pytest.fail(f"POSTTRADE_REQUIRE_PG=1 but {reason}")
    pytest.skip(reason)


def png_pixels(path: Path) -> list[tuple[int, int, int]]:
    """The RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes), unfiltered."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    offset, idat, width, height, channels = 8, b"", 0, 0, 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG depth {depth} type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    previous, pixels, position = bytearray(stride), [], 0
    for _ in range(height):
        kind, line = raw[position], bytearray(raw[position + 1 : position + 1 + stride])
        position += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        pixels += [tuple(line[i : i + 3]) for i in range(0, stride, channels)]
        previous = line
    return pixels


@pytest.mark.parametrize("fmt", ["csv", "parquet", "html"])
@pytest.mark.parametrize("name", sorted(p.stem for p in REPORTS_DIR.glob("*.yml")))
def test_shipped_reports_write_every_format(
    analytics_duckdb: WarehouseSettings, tmp_path: Path, name: str, fmt: str
) -> None:
    status = main(
        ["report", name, "--format", fmt, "--out", str(tmp_path),
         "--warehouse", str(analytics_duckdb.duckdb_path)]
    )  # fmt: skip
    assert status == 0
    path = tmp_path / f"{name}.{fmt}"
    if fmt == "csv":
        rows = list(csv.reader(path.open()))
        assert len(rows) > 1
    elif fmt == "parquet":
        assert pq.read_table(path).num_rows > 0
    else:
        page = path.read_text()
        assert "<svg" in page and "http://" not in page.replace("http://www.w3.org/2000/svg", "")


def test_fails_by_counterparty_chart_renders_in_headless_chromium(
    analytics_duckdb: WarehouseSettings, tmp_path: Path
) -> None:
    browser = chromium()
    status = main(
        ["report", "fails_by_counterparty", "--format", "html", "--out", str(tmp_path),
         "--warehouse", str(analytics_duckdb.duckdb_path)]
    )  # fmt: skip
    assert status == 0
    shot = tmp_path / "shot.png"
    subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-extensions", "--window-size=900,700", f"--screenshot={shot}",
         (tmp_path / "fails_by_counterparty.html").as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pixels = png_pixels(shot)
    bar = tuple(int(BAR_COLOUR[i : i + 2], 16) for i in (1, 3, 5))
    assert len(set(pixels)) > 10, "the screenshot is blank"
    # The bars themselves are painted: a visible share of the page is the bars' colour.
    assert sum(1 for p in pixels if p == bar) > len(pixels) // 100


def test_pipeline_writes_the_daily_operations_report(
    analytics_duckdb: WarehouseSettings, analytics_data_dir: Path
) -> None:
    page = (analytics_data_dir / "reports" / "daily_operations_report.html").read_text()
    for title in ("fails by reason", "by age", "Straight-through", "CSDR penalties"):
        assert title in page
    assert page.count("<svg") == 4
