"""The directory transport and extract_directory over a file drop."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from extractors.base import extract_directory
from extractors.transport import DirectoryTransport, refusal_sha256
from tests.extractors.fixbuild import FIXTURES


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    oms = tmp_path / "oms"
    (oms / "2026" / "11").mkdir(parents=True)
    (oms / ".hidden").mkdir()
    (oms / "b_executions.fix").write_bytes((FIXTURES / "oms_executions.fix").read_bytes())
    (oms / "2026" / "11" / "a_allocations.fix").write_bytes(
        (FIXTURES / "oms_allocations.fix").read_bytes()
    )
    (oms / "c_executions.fix.part").write_bytes(b"8=FIX.4.4|9=")
    (oms / "d.tmp").write_bytes(b"")
    (oms / ".DS_Store").write_bytes(b"\x00")
    (oms / ".hidden" / "e.fix").write_bytes(b"")
    os.symlink(oms / "b_executions.fix", oms / "f_link.fix")
    (tmp_path / "ctm").mkdir()
    return tmp_path


def test_lists_complete_files_sorted_by_relative_path(inbox: Path) -> None:
    files = DirectoryTransport(inbox).list_files("oms")
    assert [f.relative_path for f in files] == [
        "oms/2026/11/a_allocations.fix",
        "oms/b_executions.fix",
        "oms/f_link.fix",
    ]
    assert all(f.platform == "oms" for f in files)
    assert [f.refused_reason is None for f in files] == [True, True, False]


def test_a_symlink_is_refused_and_never_followed(inbox: Path) -> None:
    """A link could point anywhere (../../etc/passwd): it is listed, so that it is
    quarantined with its reason, but its target is never read."""
    transport = DirectoryTransport(inbox)
    link = transport.list_files("oms")[-1]
    assert link.refused_reason and link.refused_reason.startswith("a symbolic link")
    content = transport.read(link)
    assert content.data == b"" and content.sha256 == refusal_sha256(link)


def test_read_returns_bytes_and_sha256(inbox: Path) -> None:
    transport = DirectoryTransport(inbox)
    content = transport.read(transport.list_files("oms")[1])
    assert content.data == (FIXTURES / "oms_executions.fix").read_bytes()
    assert content.sha256 == hashlib.sha256(content.data).hexdigest()


def test_a_platform_that_delivered_nothing_is_an_empty_list(inbox: Path) -> None:
    transport = DirectoryTransport(inbox)
    assert transport.list_files("ctm") == []
    assert transport.list_files("custodian") == []


@pytest.mark.parametrize("name", ["", "../etc", ".", "oms/sub"])
def test_platform_names_cannot_escape_the_inbox(inbox: Path, name: str) -> None:
    with pytest.raises(ValueError, match="not a platform name"):
        DirectoryTransport(inbox).list_files(name)


def test_extract_directory_parses_each_file(inbox: Path) -> None:
    extracted = list(extract_directory("oms", inbox))
    assert [(e.source_file, e.message_types) for e in extracted] == [
        ("oms/2026/11/a_allocations.fix", ("J",)),
        ("oms/b_executions.fix", ("8",)),
        ("oms/f_link.fix", ()),
    ]
    assert extracted[-1].is_quarantined_whole
    allocations = extracted[0].tables["oms_allocations"]
    assert allocations["source_file"].unique().to_list() == ["oms/2026/11/a_allocations.fix"]
    expected_sha = hashlib.sha256((FIXTURES / "oms_allocations.fix").read_bytes()).hexdigest()
    assert extracted[0].file_sha256 == expected_sha
    assert allocations["file_sha256"].unique().to_list() == [expected_sha]
