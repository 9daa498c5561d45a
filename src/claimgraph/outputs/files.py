"""Output files that never destroy what they replace: written whole, or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from claimgraph.errors import ConfigError


def check_not_an_input(output: str | Path, inputs: Iterable[str]) -> None:
    """Raise :class:`ConfigError` when ``output`` names one of the ``inputs`` (the same
    file by any path, hard links included): opening it for writing would destroy it
    before it is read."""
    target = Path(output)
    if not target.exists():
        return
    for spec in inputs:
        if spec == "-":
            continue
        try:
            same = Path(spec).exists() and os.path.samefile(spec, target)
        except OSError:
            same = False
        if same:
            raise ConfigError(
                f"refusing to write the output over the input {spec!r}; choose another -o"
            )


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``path`` only when the body finishes.

    The text goes to a temporary file beside ``path`` (same directory, so the final
    rename is atomic), which is renamed over ``path`` at the end; on an error or an
    interrupt the temporary file is removed and ``path`` is left as it was.  Raises
    :class:`ConfigError` when the directory cannot be written.
    """
    target = Path(path)
    try:
        handle = tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            dir=target.parent if str(target.parent) else ".",
            prefix=f".{target.name}.",
            suffix=".part",
            delete=False,
        )
    except OSError as err:
        raise ConfigError(f"cannot write {path}: {err.strerror or err}") from err
    try:
        with handle:
            yield handle
        os.replace(handle.name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(handle.name)
        raise


__all__ = ["atomic_output", "check_not_an_input"]
