"""Shared fixtures (the only place fixtures live)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests check behaviour, never timing: a loaded CI machine must not fail them.
settings.register_profile("claimgraph", deadline=None)
settings.load_profile("claimgraph")

ROOT = Path(__file__).resolve().parents[1]
#: Third-party data lives beside the repository, never inside it.
SHARED = Path(os.environ.get("CLAIMGRAPH_SHARED", ROOT.parent / "shared"))
EXAMPLE_HTML = SHARED / "examples" / "lukashenko-putin.html"
EXAMPLE_TXT = SHARED / "examples" / "lukashenko-putin.txt"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"shared data not found at {SHARED}")
    return SHARED


@pytest.fixture(scope="session")
def example_html(shared_dir: Path) -> Path:
    return EXAMPLE_HTML


@pytest.fixture(scope="session")
def example_txt(shared_dir: Path) -> Path:
    return EXAMPLE_TXT


@pytest.fixture(scope="session")
def nlp():
    """The real pinned spaCy pipeline, as the analysis loads it."""
    from claimgraph.config import Config
    from claimgraph.nlp import load_nlp

    config = Config()
    return load_nlp(config.nlp.model, tuple(config.nlp.exclude))


@pytest.fixture(scope="session")
def en_vocab():
    from spacy.vocab import Vocab

    return Vocab()


# --- PostgreSQL: a throwaway server on a free loopback port, for the store tests ------


def _postgres_bin() -> Path | None:
    import shutil

    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return candidates[-1].parent if candidates else None


@pytest.fixture(scope="session")
def postgres_server():
    """``(host, port)`` of a PostgreSQL server started for this test session (trust
    authentication on 127.0.0.1, user ``postgres``), stopped at the end.  Skipped with
    the install command where PostgreSQL is missing, except in CI (``CI=true``)."""
    import os
    import shutil
    import socket
    import subprocess
    import tempfile

    bindir = _postgres_bin()
    if bindir is None:
        message = "PostgreSQL is not installed: apt-get install postgresql (Debian) to run these"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    # Not under pytest's temporary tree: the server may run as another user, who must
    # be able to reach its data directory.
    root = Path(tempfile.mkdtemp(prefix="claimgraph-postgres-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: use the postgres account
        os.chmod(root, 0o777)
        os.chmod(sockets, 0o777)
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = {"check": True, "capture_output": True, "text": True}
    subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8", "--no-sync"], **run)  # fmt: skip
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                    "-l", str(root / "log"), "-w", "start"], **run)  # fmt: skip
    try:
        yield "127.0.0.1", port
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "stop"], capture_output=True)  # fmt: skip
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture()
def postgres_url(postgres_server, request) -> str:
    """A new, empty database on the session's server."""
    import re

    import psycopg

    host, port = postgres_server
    name = "t_" + re.sub(r"\W", "_", request.node.name)[-50:].lower()
    with psycopg.connect(f"host={host} port={port} user=postgres dbname=postgres",
                         autocommit=True) as connection:  # fmt: skip
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://postgres@{host}:{port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """The URL of an empty store on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("postgres_url")
