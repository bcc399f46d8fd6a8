"""The command line's contract: deterministic generation, clear errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from posttrade.cli import main


def test_generate_writes_platform_folders_and_ground_truth(tmp_path: Path) -> None:
    assert main(["generate", "--out", str(tmp_path / "a"), "--trades", "20", "--seed", "3"]) == 0
    assert main(["generate", "--out", str(tmp_path / "b"), "--trades", "20", "--seed", "3"]) == 0
    for platform in ("oms", "ctm"):
        files_a = sorted((tmp_path / "a" / platform).iterdir())
        assert files_a, f"no {platform} files"
        for file_a in files_a:
            assert file_a.read_bytes() == (tmp_path / "b" / platform / file_a.name).read_bytes()
    truth = json.loads((tmp_path / "a" / "ground_truth.json").read_text())
    assert truth["seed"] == 3


def test_run_on_a_missing_inbox_says_so(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    status = main(["run", "--inbox", str(tmp_path / "nowhere"), "--warehouse", str(tmp_path / "w")])
    assert status == 2
    assert "nowhere" in capsys.readouterr().err


def test_unreachable_postgres_fails_fast_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("POSTTRADE_PG_DSN", "postgresql://nobody:secret@127.0.0.1:1/none")
    (tmp_path / "inbox").mkdir()
    status = main(["run", "--inbox", str(tmp_path / "inbox"), "--target", "postgres"])
    err = capsys.readouterr().err
    assert status == 2
    assert "cannot connect to PostgreSQL" in err
    assert "secret" not in err


def test_breaks_without_a_warehouse_says_how_to_make_one(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    status = main(["breaks", "--warehouse", str(tmp_path / "missing.duckdb")])
    assert status == 2
    assert "posttrade demo" in capsys.readouterr().err
