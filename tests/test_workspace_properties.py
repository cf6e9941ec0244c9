"""Property tests of the workspace jail: generated paths and file names (any text, surrogates, NUL, Unicode
look-alikes, very long names, absolute paths, ``..`` mixes, the names of special files on disk: a FIFO, a socket,
a device, links in and out, a link loop, a hard link out) through every method. Whatever the input:

* the only exception is :class:`WorkspacePathError` (a message for the model), never a crash or a hang;
* nothing outside the workspace is read, written, created or changed.

1,500 generated inputs in all (see ``max_examples``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, event, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from autogpt.errors import WorkspacePathError  # noqa: E402
from autogpt.workspace import Workspace  # noqa: E402

SECRET = b"SECRET-MARKER-c41e: the host's data\n"
SETTINGS = settings(deadline=None, database=None, derandomize=False,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: Names of what the lab's workspace holds (see Lab.reset), and names that mean something to a path.
SPECIAL = ["folder", "notes.txt", "pipe", "sock", "dev", "link_in", "link_file_in", "link_abs_in", "link_out",
           "link_file_out", "link_dotdot", "dangling_out", "loop_a", "hard_out", "missing", "folder/keep.txt",
           "link_in/keep.txt", "link_out/secret.txt", "link_out/sub/inner.txt", "link_dotdot/outside/secret.txt"]
TRICKY = ["..", ".", "", "...", "．．", "‥", "︰", "﹒﹒", "．", "／", "∕", "⁄", "\\", "\\\\", "//", "C:", "c:\\", "~",
          "%2e%2e", "\x00", "a\x00b", "\udcff", "\ud800", "bad\udcff.txt", "\u202e", "\ufeff", "a" * 256, "é" * 128,
          " ", "\t", "\n", "-", "*", "?", "$HOME", "con", "nul.txt", ".autogpt", ".git"]


@dataclass
class Lab:
    base: Path
    outside: Path
    ws: Workspace
    alias: Path  # a host folder's link to the workspace folder

    def reset(self) -> None:
        """The workspace as each example finds it (what an example wrote is removed)."""
        root = self.ws.root
        for entry in os.scandir(root):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        (root / "folder").mkdir()
        (root / "folder" / "keep.txt").write_bytes(b"keep\n")
        (root / "notes.txt").write_bytes(b"notes\n")
        os.mkfifo(root / "pipe")
        with socket.socket(socket.AF_UNIX) as sock:
            try:
                sock.bind(str(root / "sock"))
            except OSError:  # the path is too long for a socket here
                pass
        try:
            os.mknod(root / "dev", stat.S_IFCHR | 0o600, os.makedev(1, 3))  # like /dev/null; only as root
        except (PermissionError, OSError):
            pass
        os.symlink("folder", root / "link_in")
        os.symlink("notes.txt", root / "link_file_in")
        os.symlink(root / "folder", root / "link_abs_in")
        os.symlink(self.outside, root / "link_out")
        os.symlink(self.outside / "secret.txt", root / "link_file_out")
        os.symlink("..", root / "link_dotdot")
        os.symlink(self.outside / "ghost.txt", root / "dangling_out")
        os.symlink("loop_b", root / "loop_a")
        os.symlink("loop_a", root / "loop_b")
        try:
            os.link(self.outside / "secret.txt", root / "hard_out")
        except OSError:
            pass

    def host_state(self) -> dict[str, tuple[Any, ...]]:
        """Everything under ``base`` but the workspace's contents: kind, size, times, bytes, link targets."""
        state: dict[str, tuple[Any, ...]] = {}
        for dirpath, dirnames, filenames in os.walk(self.base):
            if Path(dirpath) == self.ws.root:
                dirnames[:] = []
                continue
            for name in dirnames + filenames:
                full = os.path.join(dirpath, name)
                if Path(full) == self.ws.root:
                    continue  # the workspace's own times change with what is written in it
                st = os.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    state[full] = ("link", os.readlink(full))
                elif stat.S_ISDIR(st.st_mode):
                    state[full] = ("dir", st.st_mtime_ns, st.st_mode)
                else:
                    state[full] = ("file", st.st_size, st.st_mtime_ns, st.st_mode, Path(full).read_bytes())
        return state


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("props")
    outside = base / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "sub" / "inner.txt").write_bytes(SECRET)
    ws = Workspace(base / "ws")
    os.symlink(ws.root, base / "alias")
    lab = Lab(base, outside, ws, base / "alias")
    lab.reset()
    yield lab
    ws.close()


def names() -> st.SearchStrategy[str]:
    anything = st.text(alphabet=st.characters(exclude_categories=()), max_size=12)  # surrogates included
    lookalike = st.text(alphabet=st.sampled_from(list("．‥︰﹒／∕⁄⧸\\/.a") + ["\u2024", "\uff3c"]), max_size=6)
    return st.one_of(st.sampled_from(SPECIAL + TRICKY), anything, lookalike,
                     st.text(alphabet="ab", min_size=250, max_size=300))


def join(parts: list[str], separators: list[str]) -> str:
    return "".join(part + sep for part, sep in zip(parts[:-1], separators, strict=False)) + parts[-1]


def paths(lab: Lab, *, absolute: bool = True) -> st.SearchStrategy[str]:
    """Relative paths of generated names, with every kind of separator; absolute ones under the lab only (a bug
    must not write into the real /etc)."""
    separators = st.sampled_from(["/", "\\", "//", "/./", "／"])
    relative = st.builds(join, st.lists(names(), min_size=1, max_size=5), st.lists(separators, min_size=4, max_size=4))
    relative = st.one_of(relative, relative, st.sampled_from(SPECIAL))  # the lab's own entries, often
    if not absolute:
        return relative
    prefixes = st.sampled_from([str(lab.ws.root), str(lab.alias), str(lab.outside), str(lab.base),
                                str(lab.base / "elsewhere"), str(lab.ws.root) + "/..", "./", "~/"])
    return st.one_of(relative, relative, st.builds(lambda p, r: f"{p}/{r}", prefixes, relative), prefixes)


def _open(lab: Lab, path: str, mode: str) -> bytes:
    with lab.ws.open_file(path, mode) as fh:  # type: ignore[arg-type]
        if mode == "rb":
            return fh.read()
        fh.write(b"written\n")
    return b""


OPERATIONS: dict[str, Callable[[Lab, str], Any]] = {
    "resolve": lambda lab, p: lab.ws.resolve(p),
    "display": lambda lab, p: lab.ws.display(p),
    "open rb": lambda lab, p: _open(lab, p, "rb"),
    "open wb": lambda lab, p: _open(lab, p, "wb"),
    "open ab": lambda lab, p: _open(lab, p, "ab"),
    "open xb": lambda lab, p: _open(lab, p, "xb"),
    "read_bytes": lambda lab, p: lab.ws.read_bytes(p),
    "write_bytes": lambda lab, p: lab.ws.write_bytes(p, b"written\n"),
    "read_text": lambda lab, p: lab.ws.read_text(p),
    "write_text": lambda lab, p: lab.ws.write_text(p, "written\n"),
    "append_text": lambda lab, p: lab.ws.write_text(p, "more\n", append=True),
    "list_dir": lambda lab, p: lab.ws.list_dir(p),
    "is_file": lambda lab, p: lab.ws.is_file(p),
}


class Hung(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hung("the operation blocked")


def run_checked(lab: Lab, op: str, path: str) -> Any:
    """``op`` on ``path``: its result, or None for a WorkspacePathError; anything else fails the test."""
    before = lab.host_state()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(5)
    try:
        result = OPERATIONS[op](lab, path)
        event(f"{op}: done")
    except WorkspacePathError as exc:
        str(exc).encode("utf-8")  # the message goes to the model, the store, a terminal
        event(f"{op}: refused")
        result = None
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    assert lab.host_state() == before, f"{op}({path!r}) changed something outside the workspace"
    shown = result if isinstance(result, bytes) else str(result).encode("utf-8", "surrogateescape")
    assert b"SECRET-MARKER" not in shown, f"{op}({path!r}) read the host's data"
    if isinstance(result, Path):
        assert result == lab.ws.root or lab.ws.root in result.parents, f"resolve({path!r}) = {result}"
    return result


@settings(SETTINGS, max_examples=900)
@given(data=st.data(), op=st.sampled_from(sorted(OPERATIONS)))
def test_any_path_through_any_operation_stays_inside(lab: Lab, data: st.DataObject, op: str) -> None:
    lab.reset()
    path = data.draw(paths(lab), label="path")
    run_checked(lab, op, path)


@settings(SETTINGS, max_examples=300)
@given(data=st.data(), ops=st.lists(st.sampled_from(sorted(OPERATIONS)), min_size=2, max_size=6))
def test_operations_in_sequence_stay_inside(lab: Lab, data: st.DataObject, ops: list[str]) -> None:
    """What one operation makes (a folder, a file) is used by the next: still nothing outside."""
    lab.reset()
    for op in ops:
        run_checked(lab, op, data.draw(paths(lab, absolute=False), label=op))


@settings(SETTINGS, max_examples=300)
@given(name=names(), data=st.binary(max_size=64))
def test_a_file_name_is_written_where_it_says_or_refused(lab: Lab, name: str, data: bytes) -> None:
    """A name that is accepted names one file in the workspace, which reads back what was written."""
    lab.reset()
    OPERATIONS["write given"] = lambda lab, p: lab.ws.write_bytes(p, data)
    try:
        run_checked(lab, "write given", name)
        accepted = lab.ws.is_file(name)
    finally:
        del OPERATIONS["write given"]
    if accepted:
        assert lab.ws.read_bytes(name) == data
        real = lab.ws.resolve(name)
        assert lab.ws.root in real.parents and real.read_bytes() == data
        assert all(part.encode("utf-8") for part in lab.ws.parts(name))  # text names, never escaped bytes
