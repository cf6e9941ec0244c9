"""The default sandbox: bubblewrap (the tool Flatpak uses), no Docker needed.

The command sees a minimal read-only root (``/usr``, the Python interpreter's prefix, any extra read-only
paths), the workspace as its only writable folder (at ``/workspace``), a private size-limited ``/tmp`` and
``/dev/shm``, its own read-only ``/proc`` and ``/dev``; it runs in new user, PID, network, IPC, UTS and cgroup
namespaces (so: no network at all), as uid 65534 with every capability dropped, no environment from the
parent, in a new session, and dies with its parent. :mod:`autogpt.sandbox.limits` adds rlimits, a cgroup
and the timeout.

When autogpt runs as root, the sandbox's uid 65534 is the host's uid 0 seen through the user namespace:
file-permission checks on host objects treat the command as their owner. So everything global that stays
visible is made read-only (``/proc`` -- ``/proc/sys`` would otherwise let it rewrite host sysctls such as
``kernel.core_pattern`` --, ``/``, ``/dev``), the /proc files only root may read are hidden, the system-call
filter (:mod:`autogpt.sandbox.seccomp`) refuses to make set-user-ID or set-group-ID files at all (they would be
root's on the host), and any such bits found on workspace files afterwards are cleared as a second layer.

The system-call filter also closes the kernel keyring, io_uring, unusual socket families and the rest of the
attack surface Docker's default profile closes; without libseccomp (or the pyseccomp binding) the sandbox
refuses to run code unless it was created with ``require_seccomp=False`` (``sandbox: allow_weak``), and then
``layers()`` reports the layer as missing. The workspace has a quota (bytes and files), see
:class:`~autogpt.sandbox.limits.WorkspaceQuota`.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from autogpt.errors import SandboxUnavailableError
from autogpt.sandbox import seccomp
from autogpt.sandbox.base import Layer, Limits, Sandbox, SandboxResult
from autogpt.sandbox.limits import Cgroup, WorkspaceQuota, run_limited

SANDBOX_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp",
    "TMPDIR": "/tmp",
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONIOENCODING": "utf-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
}
# Files from the host's /etc that programs need and that hold nothing private.
ETC_FILES = ("ld.so.cache", "ld.so.conf", "localtime", "nsswitch.conf", "mime.types")
# /proc entries hidden from the command (as Docker does): kernel memory and addresses, keys, timers, hardware.
PROC_MASKED = ("kcore", "keys", "key-users", "kmsg", "kpagecount", "kpageflags", "kpagecgroup", "sysrq-trigger",
               "timer_list", "timer_stats", "sched_debug", "latency_stats", "slabinfo", "vmallocinfo", "pagetypeinfo")
PROC_MASKED_DIRS = ("acpi", "asound", "scsi")


@functools.cache
def bubblewrap_works() -> bool:
    """Whether bwrap can create its namespaces, and the mounts we ask for, here (containers sometimes forbid them)."""
    try:
        with tempfile.TemporaryDirectory(prefix="autogpt-bwrap-check-") as folder:
            argv = BubblewrapSandbox(python="/usr/bin/true").command(["/usr/bin/true"], Path(folder), Limits())
            done = subprocess.run(argv, capture_output=True, timeout=10, check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@functools.cache
def _proc_masks() -> tuple[str, ...]:
    """bwrap arguments that hide sensitive /proc entries: the list above, and every top-level /proc file that
    only root may read (the command may be the host's root in disguise, see the module's docstring)."""
    files = set(PROC_MASKED)
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            with contextlib.suppress(OSError):
                st = entry.stat(follow_symlinks=False)
                if stat.S_ISREG(st.st_mode) and not st.st_mode & stat.S_IROTH:
                    files.add(entry.name)
    args: list[str] = []
    for name in sorted(files):
        if os.path.isfile(f"/proc/{name}") and not os.path.islink(f"/proc/{name}"):
            args += ["--ro-bind", "/dev/null", f"/proc/{name}"]
    for name in PROC_MASKED_DIRS:
        if os.path.isdir(f"/proc/{name}") and not os.path.islink(f"/proc/{name}"):
            args += ["--size", "4096", "--tmpfs", f"/proc/{name}", "--remount-ro", f"/proc/{name}"]
    return tuple(args)


def strip_setid_bits(root: Path) -> list[Path]:
    """Clear set-user-ID / set-group-ID bits on the files and folders under ``root`` that belong to us.

    The command's files in the workspace belong, on the host, to the user autogpt runs as (root, often): a
    ``chmod u+s`` copy of a shell would be a root shell for any local user who can reach the workspace.
    Only our own files are touched (the command cannot have changed anyone else's); links are not followed.
    """
    me, cleared = os.geteuid(), []
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                folders.append(Path(entry.path))
            elif not stat.S_ISREG(st.st_mode):
                continue
            if st.st_mode & (stat.S_ISUID | stat.S_ISGID) and st.st_uid == me:
                with contextlib.suppress(OSError):
                    fd = os.open(entry.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
                    try:
                        os.fchmod(fd, stat.S_IMODE(os.fstat(fd).st_mode) & ~(stat.S_ISUID | stat.S_ISGID))
                        cleared.append(Path(entry.path))
                    finally:
                        os.close(fd)
    return cleared


def _usr_links() -> list[str]:
    """``/bin``, ``/lib``... as on the host: symlinks into /usr (merged /usr) or read-only binds."""
    args: list[str] = []
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    return args


@dataclass
class BubblewrapSandbox(Sandbox):
    name: str = "bubblewrap"
    #: refuse to run code without the system-call filter (False only with ``sandbox: allow_weak``)
    require_seccomp: bool = True

    def _python_prefix(self) -> list[Path]:
        """The interpreter's installation (and its base, for a venv) when it lives outside /usr."""
        roots = {Path(self.python).parent.parent, Path(sys.base_prefix)}
        return sorted(r for r in roots if r != Path("/") and Path("/usr") not in (r, *r.parents))

    def command(self, argv: list[str], workspace: Path, limits: Limits, *, seccomp_fd: int | None = None) -> list[str]:
        """The full bwrap command line for ``argv``; ``seccomp_fd``: a descriptor the command inherits, holding
        the system-call filter (:func:`autogpt.sandbox.seccomp.program_fd`), which bwrap loads just before exec."""
        args = ["bwrap", "--ro-bind", "/usr", "/usr", *_usr_links(),
                # /tmp before the read-only binds: one of them (a venv, a checkout) may live under /tmp
                "--size", str(limits.tmp_mb * 1024 * 1024), "--tmpfs", "/tmp"]
        for path in [*self._python_prefix(), *self.read_only_paths]:
            if path.exists():
                args += ["--ro-bind", str(path), str(path)]
        for name in ETC_FILES:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        if Path("/etc/alternatives").is_dir():
            args += ["--ro-bind", "/etc/alternatives", "/etc/alternatives"]
        args += [
            "--bind", str(workspace), self.workspace_path,
            "--chdir", self.workspace_path,
            # Its own /proc, read-only: /proc/sys (host-wide sysctls) and the like must not be writable.
            "--proc", "/proc", *_proc_masks(), "--remount-ro", "/proc",
            "--dev", "/dev", "--size", str(limits.tmp_mb * 1024 * 1024), "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
            "--unshare-all", "--unshare-user", "--hostname", "sandbox",
            "--uid", "65534", "--gid", "65534", "--disable-userns",
            "--die-with-parent", "--new-session", "--clearenv",
            "--cap-drop", "ALL",
            # Last: the root itself (a tmpfs without a size limit) read-only; /tmp and /workspace stay writable.
            "--remount-ro", "/",
        ]
        for key, value in SANDBOX_ENV.items():
            args += ["--setenv", key, value]
        if seccomp_fd is not None:
            args += ["--seccomp", str(seccomp_fd)]
        return [*args, "--", *argv]

    def seccomp_problem(self) -> str | None:
        """Why the system-call filter cannot be used here, or ``None`` when it can."""
        return seccomp.unavailable_reason()

    async def run(
        self, argv: list[str], workspace: Path, *, stdin: bytes | None = None, limits: Limits | None = None
    ) -> SandboxResult:
        limits = limits or self.limits
        workspace = workspace.resolve()
        filter_fd = self._filter_fd()
        quota = WorkspaceQuota.for_limits(workspace, limits, open_paths=[self.workspace_path])
        try:
            result, _ = await run_limited(
                self.command(argv, workspace, limits, seccomp_fd=filter_fd), cwd=workspace, env=dict(SANDBOX_ENV),
                stdin=stdin, limits=limits, quota=quota, pass_fds=() if filter_fd is None else (filter_fd,),
            )
        finally:
            if filter_fd is not None:
                os.close(filter_fd)
            # Every process of the command is gone by now: nothing can race the sweep. The filter already keeps
            # the command from setting these bits; this is the second layer (a filter-less run, a kernel bug).
            strip_setid_bits(workspace)
        if result.killed is None and result.exit_code is not None and 128 < result.exit_code <= 128 + 64:
            # bwrap's init reports a command killed by a signal as 128 + the signal, as a shell does.
            result.signal, result.exit_code = result.exit_code - 128, None
        return result

    def _filter_fd(self) -> int | None:
        """A descriptor holding the system-call filter; ``None`` when it is unavailable and not required."""
        try:
            return seccomp.program_fd()
        except seccomp.SeccompUnavailableError as exc:
            if self.require_seccomp:
                raise SandboxUnavailableError(seccomp.SECCOMP_HINT.format(reason=exc)) from None
            return None

    def layers(self) -> list[Layer]:
        cgroup = Cgroup.create(self.limits)
        if cgroup is not None:
            cgroup.remove()
        lim = self.limits
        problem = self.seccomp_problem()
        return [
            Layer("bubblewrap " + _bwrap_version(), True, "the whole sandbox below; no Docker needed"),
            Layer("mount namespace", True, "read-only /usr and interpreter; the workspace is the only writable "
                  "folder; /tmp is private; the host's home, /etc and other files are not there at all; /proc "
                  "(with /proc/sys) is read-only and its root-only files are hidden; set-uid bits left on "
                  "workspace files are cleared after each command"),
            Layer("seccomp system-call filter", problem is None,
                  "no kernel keyring, no set-uid/set-gid files, no io_uring, bpf, perf, userfaultfd, ptrace, "
                  "module loading, mounts or namespaces, sockets only AF_UNIX/INET/INET6 (and route netlink, to "
                  "list interfaces), native system calls only (as Docker's default profile)" if problem is None else
                  f"NOT ACTIVE: {problem}" + ("" if self.require_seccomp else " (allow_weak: code runs without it)")),
            Layer("network namespace", True, "no network: not the internet, not the host's 127.0.0.1, no DNS"),
            Layer("PID + IPC + UTS namespaces", True, "cannot see or signal host processes; every leftover "
                  "process dies with the sandbox"),
            Layer("user namespace, uid 65534, no capabilities", True, "no root powers, no setuid, no nested "
                  "namespaces"),
            Layer("empty environment", True, "API keys and tokens of the parent process are not visible"),
            Layer(f"rlimits: {lim.cpu_seconds} s CPU, {lim.memory_mb} MB memory, {lim.file_size_mb} MB files, "
                  f"{lim.open_files} open files, no core dumps", True, "CPU spins, memory bombs, huge files"),
            Layer(f"cgroup: {lim.processes} processes, {lim.memory_mb} MB in total", cgroup is not None,
                  "fork bombs and total memory" + ("" if cgroup else " (needs root or a delegated cgroup)")),
            Layer(f"timeout {lim.timeout:g} s, output {lim.output_bytes // 1000} kB", True,
                  "commands that never end or print forever: the whole process tree is killed"),
            Layer(f"workspace quota: {lim.workspace_mb} MB, {lim.workspace_files} files", True,
                  f"filling the disk: measured every {WorkspaceQuota.interval:g} s, the command is killed when "
                  "over (it may overshoot by what it writes in between) and none starts while over"),
        ]


def _bwrap_version() -> str:
    try:
        done = subprocess.run(["bwrap", "--version"], capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip().removeprefix("bubblewrap ") or shutil.which("bwrap") or ""
