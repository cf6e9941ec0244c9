"""A real PostgreSQL 16 (+ pgvector) for the tests: the one bundled in the ``pgserver`` wheel (the dev extra).

It is started in a temporary folder and stopped at the end. We run its ``initdb``/``pg_ctl`` ourselves
rather than through ``pgserver.get_server``: as root, that one creates a system user (``useradd pgserver``)
and widens the permissions of every parent folder of the data dir and of the venv. PostgreSQL refuses to run
as root, so as root the server runs as an existing unprivileged user (``postgres``, else ``nobody``) in a
folder of its own under /tmp. Set AUTOGPT_TEST_POSTGRES_URL to use another server instead.

A test module starts one server for all its tests::

    @pytest.fixture(scope="module")
    def pg_url() -> Iterator[str]:
        with postgres_server() as url:  # skips the module when no server can be started
            yield url
"""

from __future__ import annotations

import importlib.util
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest


def _pg_bin() -> Path:
    spec = importlib.util.find_spec("pgserver")  # found without importing it (its import has side effects)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the pgserver package (PostgreSQL binaries) is not installed")
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    if not (bin_dir / "pg_ctl").exists():
        raise RuntimeError(f"no pg_ctl in {bin_dir}")
    return bin_dir


def _run_as() -> dict[str, Any]:
    """subprocess arguments that drop root (PostgreSQL refuses to run as root); nothing when not root."""
    if os.geteuid() != 0:
        return {}
    for name in ("postgres", "nobody"):
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}
    raise RuntimeError("running as root and no unprivileged user (postgres, nobody) to run PostgreSQL as")


def _start_postgres() -> tuple[str, Path, Path, dict[str, Any]]:
    """Start a server: its URL (a Unix socket), its folder, the binaries' folder and the user it runs as."""
    bin_dir = _pg_bin()
    as_user = _run_as()
    # A short path under /tmp: the socket path must fit in 107 bytes, and every parent must be traversable
    # by the server's user (pytest's own tmp folders are 0700 root).
    base = Path(tempfile.mkdtemp(prefix="autogpt-pg-", dir="/tmp"))
    if as_user:
        os.chown(base, as_user["user"], as_user["group"])
    data = base / "data"
    common: dict[str, Any] = {"check": True, "capture_output": True, "text": True, "timeout": 60, **as_user}
    try:
        subprocess.run([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "--encoding=UTF8", "--no-locale", "--no-sync"], **common)
        subprocess.run([str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-t", "30",
                        "-o", f"-h '' -k {base} -F -c max_connections=20", "start"], **common)
    except (OSError, subprocess.SubprocessError) as exc:
        detail = getattr(exc, "stderr", "") or ""
        log = base / "log"
        if log.exists():
            detail += log.read_text(errors="replace")[-2000:]
        shutil.rmtree(base, ignore_errors=True)
        raise RuntimeError(f"{exc} {detail}".strip()) from None
    return f"postgresql://postgres@/postgres?host={base}", base, bin_dir, as_user


def _stop_postgres(base: Path, bin_dir: Path, as_user: dict[str, Any]) -> None:
    subprocess.run([str(bin_dir / "pg_ctl"), "-D", str(base / "data"), "-m", "immediate", "-w", "stop"],
                   capture_output=True, timeout=60, **as_user)
    shutil.rmtree(base, ignore_errors=True)


@contextmanager
def postgres_server() -> Iterator[str]:
    """The URL of a running PostgreSQL: AUTOGPT_TEST_POSTGRES_URL, else a server started here and stopped
    when the block ends. Skips the calling test (module) when none can be started."""
    if os.environ.get("AUTOGPT_TEST_POSTGRES_URL"):
        yield os.environ["AUTOGPT_TEST_POSTGRES_URL"]
        return
    try:
        url, base, bin_dir, as_user = _start_postgres()
    except Exception as exc:
        pytest.skip(f"PostgreSQL cannot be started here: {exc}")
    try:
        yield url
    finally:
        _stop_postgres(base, bin_dir, as_user)
