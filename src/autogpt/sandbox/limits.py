"""Running one process tree under limits: rlimits, a cgroup where we may make one, a wall-clock timeout
that kills the whole tree, caps on how much output is kept, and a quota on the workspace.

RLIMIT_NPROC means nothing to root, so as root the process count (and total memory) is bounded by a
cgroup (v1 ``pids``/``memory`` controllers, or v2), which also lets us kill every process of the tree,
even those that left its session.

The workspace quota (bytes and number of files) is enforced by measuring, see :class:`WorkspaceQuota`: no
file-system quota is needed, but a command can overshoot by what it writes between two measurements.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import stat
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from autogpt.sandbox.base import Limits, SandboxResult

CGROUP_ROOT = Path("/sys/fs/cgroup")
_MB = 1024 * 1024


class Cgroup:
    """A cgroup for one command: a process limit and a memory limit, and a way to kill everything in it."""

    def __init__(self, paths: list[Path], v2: bool) -> None:
        self.paths, self.v2 = paths, v2

    @classmethod
    def create(cls, limits: Limits) -> Cgroup | None:
        """A new cgroup with the limits applied, or ``None`` where we may not create one (not root...)."""
        name = f"autogpt-{uuid.uuid4().hex[:12]}"
        made: list[Path] = []
        try:
            if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2
                parent = CGROUP_ROOT / "autogpt"
                parent.mkdir(exist_ok=True)
                for level in (CGROUP_ROOT, parent):
                    (level / "cgroup.subtree_control").write_text("+pids +memory")
                path = parent / name
                path.mkdir()
                made.append(path)
                (path / "pids.max").write_text(str(limits.processes))
                (path / "memory.max").write_text(str(limits.memory_mb * _MB))
                (path / "memory.swap.max").exists() and (path / "memory.swap.max").write_text("0")
                return cls(made, v2=True)
            for controller, settings in (
                ("pids", {"pids.max": str(limits.processes)}),
                ("memory", {"memory.limit_in_bytes": str(limits.memory_mb * _MB)}),
            ):
                path = CGROUP_ROOT / controller / "autogpt" / name
                path.mkdir(parents=True)
                made.append(path)
                for key, value in settings.items():
                    (path / key).write_text(value)
            return cls(made, v2=False)
        except OSError:
            for path in made:
                with contextlib.suppress(OSError):
                    path.rmdir()
            return None

    def enter(self) -> None:
        """Move the calling process into the cgroup (called in the child before exec)."""
        pid = str(os.getpid())
        for path in self.paths:
            (path / "cgroup.procs").write_text(pid)

    def pids(self) -> set[int]:
        found: set[int] = set()
        for path in self.paths:
            with contextlib.suppress(OSError, ValueError):
                found.update(int(p) for p in (path / "cgroup.procs").read_text().split())
        return found

    def oom_killed(self) -> bool:
        """Whether the kernel killed a process of the cgroup for memory (not merely reclaimed page cache)."""
        for path in self.paths:
            # v2: memory.events; v1: memory.oom_control (Linux 4.13+). Not v1's memory.failcnt: it counts every
            # time the limit was touched, which writing a few files' worth of page cache already does.
            name = "memory.events" if self.v2 else "memory.oom_control"
            with contextlib.suppress(OSError, ValueError):
                if (path / name).exists():
                    fields = dict(line.split()[:2] for line in (path / name).read_text().splitlines() if line.strip())
                    return int(fields.get("oom_kill", 0)) > 0
        return False

    def kill_all(self) -> None:
        for _ in range(50):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.01)

    def remove(self) -> None:
        self.kill_all()
        for path in self.paths:
            for _ in range(50):
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


@dataclass(frozen=True)
class Usage:
    """What a workspace holds: bytes (of files, folders, links...) and entries (files, folders, links...)."""

    bytes: int
    files: int
    complete: bool = True  # False when the count stopped early, once over the quota
    problem: str | None = None  # a part of the workspace that could not be counted (counts as over the quota)


class WorkspaceQuota:
    """A quota on one workspace, in bytes and in files, enforced by measuring it.

    The workspace is measured before a command starts (one already over quota does not start) and then
    every :attr:`interval` seconds while it runs; the command's whole process tree is killed as soon as a
    measurement is over, and once more after it ended. What is counted, skipping nothing: every entry under
    the workspace (files, folders, symbolic links, FIFOs...), and for bytes, each inode once, the larger of its
    size and the disk blocks it holds (neither a sparse file nor an ``fallocate``'d one slips through), plus
    the files the command's processes still hold open or mapped after deleting them (read from
    ``/proc/PID/fd`` and ``/proc/PID/maps``: a deleted file's blocks stay in use until it is closed).

    What it does not cover, honestly:

    * the window between two measurements: a command can write as fast as the disk takes it until the next
      one ends, so the workspace can end up over its quota by that much (RLIMIT_FSIZE bounds each file, and
      no new command starts while the workspace is over). The window is :attr:`interval`, or twice as long
      as one count takes when that is longer (a workspace of many thousand files), so that counting never
      takes more than a third of a core;
    * deleted files whose only reference is a descriptor in flight on a Unix socket (SCM_RIGHTS), which no
      process holds: at most the per-user limit of descriptors in flight, freed when the command ends;
    * anything outside the workspace (the sandbox's ``/tmp`` is a size-limited tmpfs, in memory).

    What cannot be counted is not let through: a folder that cannot be listed (nested beyond the longest path
    the host can name, or made unreadable where autogpt is not root) counts as over the quota.

    A file-system quota would be exact, but needs quota-enabled mounts or a loop-mounted image per workspace.
    """

    interval = 0.2

    def __init__(self, root: Path, max_bytes: int, max_files: int, *, open_paths: Iterable[str] = ()) -> None:
        self.root = root
        self.max_bytes, self.max_files = max_bytes, max_files
        # How the command's processes name files of the workspace (in /proc/PID/fd and /proc/PID/maps): the
        # host path, and where the sandbox mounts it.
        self.open_paths = tuple(dict.fromkeys([str(root), *open_paths]))

    @classmethod
    def for_limits(cls, root: Path, limits: Limits, *, open_paths: Iterable[str] = ()) -> WorkspaceQuota:
        return cls(root, limits.workspace_mb * _MB, limits.workspace_files, open_paths=open_paths)

    def over(self, usage: Usage) -> bool:
        return usage.bytes > self.max_bytes or usage.files > self.max_files or usage.problem is not None

    def measure(self, pids: Iterable[int] = ()) -> Usage:
        """Bytes and entries under the workspace, plus deleted files that ``pids`` still hold (stops early once
        over the quota, so an enormous workspace costs no more than the quota's worth of entries)."""
        try:
            device = os.stat(self.root).st_dev
        except OSError:
            return Usage(0, 0)
        total, files = 0, 0
        seen: set[tuple[int, int]] = set()
        folders = [str(self.root)]
        while folders:
            folder = folders.pop()
            try:
                with os.scandir(folder) as entries:
                    for entry in entries:
                        files += 1
                        try:
                            st = entry.stat(follow_symlinks=False)
                        except FileNotFoundError:  # deleted meanwhile
                            continue
                        if stat.S_ISDIR(st.st_mode):
                            folders.append(entry.path)
                        if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):  # hard links: count once
                            if (st.st_dev, st.st_ino) in seen:
                                continue
                            seen.add((st.st_dev, st.st_ino))
                        total += _footprint(st)
                        if total > self.max_bytes or files > self.max_files:
                            return Usage(total, files, complete=False)
            except (FileNotFoundError, NotADirectoryError):  # deleted, or replaced by a file, meanwhile
                continue
            except OSError as exc:
                # A path too long to name (ENAMETOOLONG), a folder made unreadable (not to root): what cannot be
                # counted could hide anything, so it counts as over the quota.
                name = os.path.relpath(folder, self.root)
                name = name if len(name) <= 80 else name[:40] + "..." + name[-37:]
                return Usage(total, files, complete=False, problem=f"the folder {name!r} cannot be read "
                             f"({exc.strerror or exc})")
        for st in self._deleted_but_open(pids, device):
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += _footprint(st)
        return Usage(total, files)

    def _deleted_but_open(self, pids: Iterable[int], device: int) -> Iterator[os.stat_result]:
        """Files of the workspace's file system that were deleted from the workspace and that a process of the
        command holds open (``/proc/PID/fd``) or mapped (``/proc/PID/maps``, stat-ed through ``map_files``)."""
        def ours(target: str) -> bool:
            return target.endswith(" (deleted)") and any(
                target == path or target.startswith(path.rstrip("/") + "/") for path in self.open_paths)

        for pid in pids:
            proc = f"/proc/{pid}"
            with contextlib.suppress(OSError):
                for name in os.listdir(f"{proc}/fd"):
                    with contextlib.suppress(OSError):
                        if ours(os.readlink(f"{proc}/fd/{name}")):
                            st = os.stat(f"{proc}/fd/{name}")
                            if st.st_dev == device and st.st_nlink == 0 and stat.S_ISREG(st.st_mode):
                                yield st
            with contextlib.suppress(OSError):
                with open(f"{proc}/maps", "rb") as handle:
                    maps = handle.read()
                if b" (deleted)" not in maps:
                    continue
                for line in maps.decode("utf-8", "replace").splitlines():
                    fields = line.split(maxsplit=5)
                    if len(fields) == 6 and ours(fields[5]):
                        with contextlib.suppress(OSError):  # map_files needs root
                            st = os.stat(f"{proc}/map_files/{fields[0]}")
                            if st.st_dev == device and st.st_nlink == 0 and stat.S_ISREG(st.st_mode):
                                yield st

    def message(self, usage: Usage, *, started: bool = True) -> str:
        """What the model is told: the quota, what was counted, what to do."""
        quota = f"the workspace quota ({self.max_bytes} bytes / {self.max_files} files)"
        if usage.problem is not None:
            what = "cannot be checked" if started else "cannot be checked, so the command was not started"
            return (f"{quota} {what}: {usage.problem}; delete that folder (or make it readable) before running "
                    "code again")
        counted = f"{usage.files} files and folders" if usage.files > self.max_files else f"{usage.bytes} bytes"
        at_least = "" if usage.complete else "at least "  # the count stops once over
        what = "was exceeded" if started else "is exceeded, so the command was not started"
        return (f"{quota} {what} ({at_least}{counted} counted); delete files you no longer need, or write less, "
                "before running code again")


def _footprint(st: os.stat_result) -> int:
    """Bytes an inode takes: its disk blocks, or its size when larger (a sparse file, read back in full)."""
    blocks = getattr(st, "st_blocks", 0) * 512
    return max(blocks, st.st_size) if stat.S_ISREG(st.st_mode) else blocks


def _descendants(root: int) -> set[int]:
    """``root`` and every process below it (by parent pid, from /proc)."""
    children: dict[int, list[int]] = {}
    with contextlib.suppress(OSError):
        for name in os.listdir("/proc"):
            if name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    with open(f"/proc/{name}/stat", "rb") as handle:
                        fields = handle.read().rsplit(b")", 1)[1].split()
                    children.setdefault(int(fields[1]), []).append(int(name))
    found, todo = set(), [root]
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo.extend(children.get(pid, ()))
    return found


def _set_rlimits(limits: Limits) -> None:
    caps = {
        resource.RLIMIT_CPU: limits.cpu_seconds,
        resource.RLIMIT_AS: limits.memory_mb * _MB,
        # no single file larger than the whole workspace quota either
        resource.RLIMIT_FSIZE: min(limits.file_size_mb, limits.workspace_mb) * _MB,
        resource.RLIMIT_NOFILE: limits.open_files,
        resource.RLIMIT_CORE: 0,
    }
    if os.geteuid() != 0:  # counts all of the user's processes: only meaningful (and safe) when not root
        caps[resource.RLIMIT_NPROC] = max(limits.processes, 1)
    for which, value in caps.items():
        hard = resource.getrlimit(which)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(which, (value, value))


async def run_limited(
    argv: list[str], *, cwd: Path, env: dict[str, str], stdin: bytes | None, limits: Limits, use_cgroup: bool = True,
    quota: WorkspaceQuota | None = None, pass_fds: tuple[int, ...] = (),
) -> tuple[SandboxResult, bool]:
    """Run ``argv`` in a new session under ``limits``; returns the result and whether a cgroup was used.

    With a ``quota``, a workspace already over it does not start the command, and one that goes over it while
    the command runs has the command killed (``killed`` says so, for the model). ``pass_fds`` are descriptors
    the command inherits. Whatever happens, every process the command started is gone when this returns.
    """
    if quota is not None:
        usage = await asyncio.to_thread(quota.measure)
        if quota.over(usage):
            return SandboxResult(exit_code=None, stdout="", stderr="", seconds=0.0,
                                 killed=quota.message(usage, started=False)), False
    cgroup = Cgroup.create(limits) if use_cgroup else None

    def in_child() -> None:
        if cgroup is not None:
            cgroup.enter()
        _set_rlimits(limits)

    started = time.monotonic()
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv, cwd=cwd, env=env, start_new_session=True, preexec_fn=in_child, pass_fds=pass_fds,
            stdin=asyncio.subprocess.PIPE if stdin is not None else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )
    except BaseException:  # the program is missing, the cgroup refused it...: do not leave the cgroup behind
        if cgroup is not None:
            cgroup.remove()
        raise
    killed: list[str] = []

    def kill_tree(reason: str) -> None:
        if not killed:
            killed.append(reason)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
        if cgroup is not None:
            cgroup.kill_all()

    out, err = bytearray(), bytearray()

    async def collect(stream: asyncio.StreamReader, kept: bytearray) -> None:
        while chunk := await stream.read(65536):
            if len(kept) + len(chunk) > limits.output_bytes:
                kept += chunk[: limits.output_bytes - len(kept)]
                kill_tree("output limit")
                return
            kept += chunk

    async def feed() -> None:
        if stdin is not None and proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                proc.stdin.write(stdin)
                await proc.stdin.drain()
            proc.stdin.close()

    def processes() -> set[int]:
        return cgroup.pids() if cgroup is not None else _descendants(proc.pid)

    async def watch_quota() -> None:
        assert quota is not None
        while proc.returncode is None:
            began = time.monotonic()
            usage = await asyncio.to_thread(quota.measure, processes())
            if quota.over(usage):
                kill_tree(quota.message(usage))
                return
            # A workspace of many files takes a while to count: then count less often (a third of a core at most).
            await asyncio.sleep(max(quota.interval, 2 * (time.monotonic() - began)))

    assert proc.stdout is not None and proc.stderr is not None
    work = asyncio.gather(collect(proc.stdout, out), collect(proc.stderr, err), feed(), proc.wait())
    watcher = asyncio.ensure_future(watch_quota()) if quota is not None else None
    try:
        await asyncio.wait_for(asyncio.shield(work), timeout=limits.timeout)
    except TimeoutError:
        kill_tree("timeout")
    except asyncio.CancelledError:
        kill_tree("cancelled")
        raise
    finally:
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(BaseException):
                await watcher
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # leftover background processes of the session
        if cgroup is not None:
            cgroup.kill_all()
        # A process that escaped the session (weak sandbox, no cgroup) may still hold the pipes open:
        # give the readers a moment to see end-of-file, then stop reading.
        try:
            await asyncio.wait_for(asyncio.shield(work), timeout=2)
        except (TimeoutError, asyncio.CancelledError):
            work.cancel()
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(proc.wait(), timeout=2)
        if cgroup is not None:
            if not killed and cgroup.oom_killed():
                killed.append("memory limit")
            cgroup.remove()
    if quota is not None and not killed:  # went over after the last measurement, or ended before the first
        usage = await asyncio.to_thread(quota.measure)
        if quota.over(usage):
            killed.append(quota.message(usage))
    code = proc.returncode
    result = SandboxResult(
        exit_code=None if killed or (code is not None and code < 0) else code,
        stdout=bytes(out).decode("utf-8", errors="replace"),
        stderr=bytes(err).decode("utf-8", errors="replace"),
        seconds=time.monotonic() - started,
        killed=killed[0] if killed else None,
        signal=-code if code is not None and code < 0 else None,
    )
    return result, cgroup is not None
