"""Atomic file writes: write to a temporary name in the target folder, then rename."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def write_atomic(
    path: str | os.PathLike, write: Callable[[TextIO], None], *, newline: str | None = None
) -> Path:
    """Write a text file so that the final name holds either the old content or the whole new one.

    ``write`` receives an open text file (UTF-8) and writes the content. The file is first written
    under a hidden temporary name in the same folder, flushed to disk and then renamed over
    ``path`` with ``os.replace``, which is atomic on POSIX and Windows when both names are on one
    file system. ``newline`` is passed to ``open`` (use ``""`` for the csv module).

    Returns the final path. Raises whatever ``write`` or the file system raises; the temporary
    file is removed first, and an existing file under ``path`` is left unchanged.
    """
    final = Path(path)
    # A random suffix and mode "x" keep two writers apart. Unlike tempfile.mkstemp, which
    # creates files with mode 0600, open() applies the user's umask, as for any new file.
    temporary = final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")

    try:
        with open(temporary, "x", encoding="utf-8", newline=newline) as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, final)
    except BaseException:
        # BaseException as well, so that Ctrl-C during an export leaves no temporary file behind.
        Path(temporary).unlink(missing_ok=True)
        raise

    return final


def write_text_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (see ``write_atomic``); returns the final path."""
    return write_atomic(path, lambda stream: stream.write(text))
