"""The `directory` transport: a platform's files in a file drop (`<inbox>/<platform>/**`).

Deliveries land there as SFTP uploads do, so files still being written (`*.part`,
`*.tmp`, ...) and hidden files are not ours to read yet.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

# Names transfer tools give a file until it is complete.
PARTIAL_SUFFIXES = (".part", ".partial", ".tmp", ".filepart", ".crdownload")


@dataclass(frozen=True)
class InboxFile:
    platform: str
    relative_path: str  # POSIX path relative to the inbox, e.g. "oms/20261124_executions.fix"
    path: Path


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
                if not stat.S_ISREG(path.lstat().st_mode):  # no symlinks, fifos, sockets
                    continue
                found.append(InboxFile(platform, path.relative_to(self.inbox).as_posix(), path))
        return sorted(found, key=lambda f: f.relative_path)

    def read(self, file: InboxFile) -> FileContent:
        data = file.path.read_bytes()
        return FileContent(data, hashlib.sha256(data).hexdigest())
