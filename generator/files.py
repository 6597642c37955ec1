"""Writing files so that a crash or Ctrl-C never leaves half of one behind."""

from __future__ import annotations

import contextlib
import marshal
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, data: bytes | str, *, overwrite: bool = True) -> bool:
    """Write `data` to `path` all at once: a temporary file in the same folder, fsync, rename.

    With overwrite=False an existing file is left alone and False is returned; the check and
    the rename are one step (a hard link), so two writers cannot both win.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            Path(temp).replace(path)
        else:
            try:
                os.link(temp, path)
            except FileExistsError:
                return False
        _fsync_folder(path.parent)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temp).unlink()


def _fsync_folder(folder: Path) -> None:
    # Makes the rename itself durable; not every platform lets a folder be opened.
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def store(path: Path, data: Any) -> bool:
    """Keep plain data (dicts, lists, strings, numbers, bytes) in a cache file for later runs,
    atomically; False when it cannot be written, which only costs time."""
    try:
        return write_atomic(path, marshal.dumps(data))
    except OSError:
        return False


def stored(path: Path) -> Any:
    """What `store` wrote to `path`, or None when it is missing, unreadable or damaged."""
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Delete all but the `keep` most recently used files of `folder` matching `pattern`
    (a glob), so a cache of grammars or models the user has moved on from does not grow."""
    with contextlib.suppress(OSError):
        found = sorted(folder.glob(pattern), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in found[keep:]:
            with contextlib.suppress(OSError):
                old.unlink()


def touch(path: Path) -> None:
    """Mark a cache file as just used (for `prune`); a file we cannot touch is left as it is."""
    with contextlib.suppress(OSError):
        os.utime(path)


def stamp(file: Path, shipped: Path) -> bytes:
    """What a cache key takes from a file: its contents, or, for a file of the data shipped
    in `shipped` (which only an install or a developer's edit changes, and both give it a
    new time), its path, size and modification time, which need no reading.

    Raises OSError when the file cannot be read.
    """
    if file.is_relative_to(shipped):
        status = file.stat()
        return f"{file}\0{status.st_size}\0{status.st_mtime_ns}".encode()
    return file.read_bytes()
