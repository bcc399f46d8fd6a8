"""The `directory` transport: a platform's files in a file drop (`<inbox>/<platform>/**`).

Deliveries land there as SFTP uploads do, so files still being written (`*.part`,
`*.tmp`, ...) and hidden files are not ours to read yet.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

# Names transfer tools give a file until it is complete.
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".filepart", ".crdownload")


@dataclass(frozen=True)
class InboxFile:
    platform: str
    relative_path: str  # POSIX path relative to the inbox, e.g. "oms/20261124_executions.fix"
    path: Path
    # Why a delivery is not read at all (a symlink out of the inbox, a listed name that
    # climbs out of the platform folder): it is quarantined whole with this reason.
    refused_reason: str | None = field(default=None, kw_only=True)


def refusal_sha256(file: InboxFile) -> str:
    """The ledger key of a refused delivery (its bytes are never read): the same refusal
    twice is one ledger row."""
    marker = f"refused\0{file.relative_path}\0{file.refused_reason}"
    return hashlib.sha256(marker.encode()).hexdigest()


@dataclass(frozen=True)
class FileContent:
    data: bytes
    sha256: str


class DirectoryTransport:
    def __init__(self, inbox: Path) -> None:
        self.inbox = Path(inbox)

    def list_files(self, platform: str) -> list[InboxFile]:
        """The platform's complete regular files, sorted by relative path.

        A platform folder that does not exist is an empty delivery, not an error.
        """
        if not platform or "/" in platform or "\\" in platform or platform.startswith("."):
            raise ValueError(f"not a platform name: {platform!r}")
        root = self.inbox / platform
        if not root.is_dir():
            return []
        found = []
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                if name.startswith(".") or name.lower().endswith(PARTIAL_SUFFIXES):
                    continue
                path = Path(dirpath, name)
                relative_path = path.relative_to(self.inbox).as_posix()
                mode = path.lstat().st_mode
                refused = None
                if stat.S_ISLNK(mode):
                    # Never followed: it could point anywhere on the machine.
                    refused = f"a symbolic link, not a delivered file (to {os.readlink(path)})"
                elif not stat.S_ISREG(mode):
                    refused = "not a regular file (a fifo, socket or device)"
                found.append(InboxFile(platform, relative_path, path, refused_reason=refused))
        return sorted(found, key=lambda f: f.relative_path)

    def read(self, file: InboxFile) -> FileContent:
        """The file's bytes; nothing for a refused delivery, which is never opened."""
        if file.refused_reason:
            return FileContent(b"", refusal_sha256(file))
        data = file.path.read_bytes()
        return FileContent(data, hashlib.sha256(data).hexdigest())

    def sha256_of(self, file: InboxFile) -> str:
        """The file's content hash, read a block at a time (a file of gigabytes is never
        held whole for it)."""
        if file.refused_reason:
            return refusal_sha256(file)
        with file.path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
