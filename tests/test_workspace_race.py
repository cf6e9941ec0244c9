"""The check-then-use race: agent code swaps a workspace folder for a link to a host folder, over and over, while
the host reads, writes and lists a file under it. Not one access may reach the host folder, and every refusal
must be a WorkspacePathError (a message for the model), never another exception.

``ws/d`` is a real folder holding ``f.txt``; ``ws/parked`` is a link to ``outside/``, which holds ``f.txt`` with
a secret marker and ``outside-only.txt``. The flipper exchanges the two names (``renameat2(RENAME_EXCHANGE)``,
or three renames where that is missing) in a tight loop, in a separate process: a plain one, and, where
bubblewrap works, one inside the sandbox that runs the agent's code.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from autogpt.errors import WorkspacePathError
from autogpt.workspace import Workspace

SECRET = b"SECRET-MARKER-7f3a: host data that must never be read\n"
INSIDE = b"inside\n"
TRIES = 6_000  # per host-side test below; two of them: 12,000 tries
DEADLINE = 20.0  # seconds, a bound for a very slow machine (the tries usually take a few seconds)

#: The flipper: agent code. argv: workspace, outside folder, seconds to run (0: until ws/stop exists).
FLIPPER = r"""
import ctypes, os, sys, time
ws, outside, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
os.chdir(ws)
os.symlink(outside, "parked")
libc = ctypes.CDLL(None, use_errno=True)
exchange = getattr(libc, "renameat2", None)

def flip():
    global exchange
    if exchange is not None:
        if exchange(-100, b"d", -100, b"parked", 2) == 0:  # AT_FDCWD, RENAME_EXCHANGE
            return
        exchange = None  # not here (old kernel, filter): three renames, "d" missing for a moment
    os.rename("d", "swap")
    os.rename("parked", "d")
    os.rename("swap", "parked")

open("started", "w").close()
flips, end = 0, time.monotonic() + seconds
while (time.monotonic() < end) if seconds else not os.path.exists("stop"):
    flip()
    flips += 1
print(flips, "atomic" if exchange is not None else "renames", flush=True)
"""


@dataclass
class Tally:
    tries: int = 0
    escapes: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    done: Counter[str] = field(default_factory=Counter)


class Host:
    """The host side: one operation after another on ``d/...``, each checked for an access outside."""

    def __init__(self, tmp_path: Path) -> None:
        self.outside = tmp_path / "outside"
        self.outside.mkdir()
        (self.outside / "f.txt").write_bytes(SECRET)
        (self.outside / "outside-only.txt").write_bytes(SECRET)
        self.ws = Workspace(tmp_path / "ws")
        (self.ws.root / "d").mkdir()
        (self.ws.root / "d" / "f.txt").write_bytes(INSIDE)
        self.outside_state = self._outside_state()
        self.tally = Tally()

    def _outside_state(self) -> list[tuple[str, bytes]]:
        return sorted((p.name, p.read_bytes()) for p in self.outside.iterdir())

    def _read(self, op: str, data: bytes | str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        if b"SECRET-MARKER" in raw:
            self.tally.escapes.append(f"{op} read the host file")

    def _wrote(self, op: str) -> None:
        if self._outside_state() != self.outside_state:
            self.tally.escapes.append(f"{op} wrote into the host folder")
            shutil.rmtree(self.outside)  # put it back, to catch the next one too
            self.outside.mkdir()
            for name, data in self.outside_state:
                (self.outside / name).write_bytes(data)

    def operations(self, kind: str) -> list[tuple[str, Callable[[int], None]]]:
        """``text``: the methods the file tools use (they existed before the fix); ``bytes``: the ones the
        server uses; ``all``: both."""
        if kind == "all":
            return self.operations("text") + self.operations("bytes")
        ws = self.ws
        if kind == "text":
            return [
                ("read_text", lambda i: self._read("read_text", ws.read_text("d/f.txt"))),
                ("write_text", lambda i: (ws.write_text("d/f.txt", "inside\n"), self._wrote("write_text"))),
                ("append_text", lambda i: (ws.write_text(f"d/log{i % 7}.txt", "x", append=True),
                                           self._wrote("append_text"))),
                ("write_new", lambda i: (ws.write_text(f"d/new/n{i % 5}.txt", "n"), self._wrote("write_new"))),
                ("list_dir", lambda i: self._listed(ws.list_dir("d"))),
            ]

        def open_read(i: int) -> None:
            with ws.open_file("d/f.txt", "rb") as fh:
                self._read("open_file rb", fh.read())

        def open_write(mode: str) -> Callable[[int], None]:
            def op(i: int) -> None:
                name = f"d/x{i % 40}.bin" if mode == "xb" else f"d/{mode}.bin"
                with ws.open_file(name, mode) as fh:  # type: ignore[arg-type]
                    fh.write(b"w")
                self._wrote(f"open_file {mode}")
            return op

        return [
            ("read_bytes", lambda i: self._read("read_bytes", ws.read_bytes("d/f.txt"))),
            ("write_bytes", lambda i: (ws.write_bytes("d/f.txt", INSIDE), self._wrote("write_bytes"))),
            ("open_file rb", open_read),
            ("open_file wb", open_write("wb")),
            ("open_file ab", open_write("ab")),
            ("open_file xb", open_write("xb")),
            ("is_file", lambda i: ws.is_file("d/f.txt") and None),
        ]

    def _listed(self, entries: list[tuple[str, bool, int]]) -> None:
        if any(name == "outside-only.txt" for name, _, _ in entries):
            self.tally.escapes.append("list_dir listed the host folder")

    def hammer(self, kind: str, until: Callable[[], bool]) -> Tally:
        ops = self.operations(kind)
        deadline = time.monotonic() + DEADLINE
        while not until() and time.monotonic() < deadline:
            name, op = ops[self.tally.tries % len(ops)]
            self.tally.tries += 1
            try:
                op(self.tally.tries)
                self.tally.done[name] += 1
            except WorkspacePathError as exc:
                message = str(exc)
                reason = ("outside" if "outside the workspace" in message else
                          "missing" if "does not exist" in message else
                          "exists" if "already exists" in message else message)
                self.tally.refusals[reason] += 1
            except Exception as exc:  # noqa: BLE001 - every other exception is a failure of the test
                self.tally.crashes.append(f"{name}: {type(exc).__name__}: {exc}")
        return self.tally


def wait_for(path: Path, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < end, f"{path.name} never appeared"
        time.sleep(0.01)


def check(tally: Tally, flips: int, minimum: int) -> None:
    summary = f"{tally.tries} tries, {flips} flips, done {dict(tally.done)}, refused {dict(tally.refusals)}"
    print(summary)  # shown with pytest -s
    assert tally.escapes == [], f"{len(tally.escapes)} accesses outside: {Counter(tally.escapes)}; {summary}"
    assert tally.crashes == [], f"not WorkspacePathError: {tally.crashes[:5]}; {summary}"
    assert tally.tries >= minimum, summary
    assert flips > 100, summary
    # The race was really run: some accesses met the link (refused), others the folder (done).
    assert tally.refusals["outside"] > 0 and sum(tally.done.values()) > 0, summary


@pytest.mark.parametrize("kind", ["text", "bytes"])
def test_a_folder_flipped_to_a_host_link_never_lets_an_access_out(tmp_path: Path, kind: str) -> None:
    host = Host(tmp_path)
    flipper = subprocess.Popen([sys.executable, "-c", FLIPPER, str(host.ws.root), str(host.outside), "0"],
                               stdout=subprocess.PIPE, text=True)
    try:
        wait_for(host.ws.root / "started")
        tally = host.hammer(kind, until=lambda: host.tally.tries >= TRIES)
    finally:
        (host.ws.root / "stop").touch()
        out, _ = flipper.communicate(timeout=30)
    check(tally, int(out.split()[0]), TRIES)
    assert (host.outside / "f.txt").read_bytes() == SECRET


def _bubblewrap() -> bool:
    if not shutil.which("bwrap"):
        return False
    from autogpt.sandbox.bubblewrap import bubblewrap_works

    return bubblewrap_works()


@pytest.mark.skipif(not _bubblewrap(), reason="bubblewrap is not usable on this machine")
def test_code_in_the_sandbox_flipping_a_folder_never_gets_an_access_out(tmp_path: Path) -> None:
    from autogpt.errors import SandboxUnavailableError
    from autogpt.sandbox import Limits, create_sandbox

    try:
        sandbox = create_sandbox(limits=Limits(timeout=40, cpu_seconds=40, memory_mb=256))
    except SandboxUnavailableError as exc:
        pytest.skip(str(exc))
    host = Host(tmp_path)
    result: list[object] = []

    def run() -> None:
        argv = [sandbox.python, "-c", FLIPPER, sandbox.workspace_path, str(host.outside), "0"]  # until "stop"
        try:
            result.append(asyncio.run(sandbox.run(argv, host.ws.root)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            result.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    end = time.monotonic() + 30
    while not (host.ws.root / "started").exists() and thread.is_alive():
        assert time.monotonic() < end, "the sandboxed flipper never started"
        time.sleep(0.01)
    # Until enough tries met both the folder and the link (a loaded machine flips slowly), or 25 s at most.
    end = time.monotonic() + 25
    try:
        host.hammer("all", until=lambda: not thread.is_alive() or time.monotonic() > end or (
            host.tally.tries >= 3_000 and host.tally.refusals["outside"] > 0 and sum(host.tally.done.values()) > 0))
    finally:
        (host.ws.root / "stop").touch()
        thread.join()
    (outcome,) = result
    assert not isinstance(outcome, BaseException), outcome
    assert outcome.exit_code == 0, (outcome.stdout, outcome.stderr)  # type: ignore[attr-defined]
    check(host.tally, int(outcome.stdout.split()[0]), 1_000)  # type: ignore[attr-defined]
    assert (host.outside / "f.txt").read_bytes() == SECRET
