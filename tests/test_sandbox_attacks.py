"""Attacks on the default sandbox (bubblewrap): every test runs real hostile code inside it and checks BOTH
that the attack failed AND that the host is unchanged.

The attacks are written so that a broken sandbox could not really hurt this machine: every destructive
step is aimed at a decoy the test made, guarded by a check that it runs inside the sandbox (pid 1 is
bwrap, the hostname is "sandbox"), or bounded (the fork bomb stops at 2**11 processes, the memory bomb at
a few GB, loops end after 30 s). Nothing is ever written to /proc/sys or /proc/sysrq-trigger: the tests
only try to *open* them for writing.
"""

from __future__ import annotations

import asyncio
import errno
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.config import Settings
from autogpt.errors import WorkspacePathError
from autogpt.sandbox import Limits, Sandbox, create_sandbox
from autogpt.sandbox.bubblewrap import SANDBOX_ENV, BubblewrapSandbox, bubblewrap_works
from autogpt.tools.code import execute_python
from autogpt.tools.registry import Tool, ToolContext
from autogpt.workspace import Workspace
from sandbox_run import last_json, run_py

pytestmark = pytest.mark.skipif(
    not (shutil.which("bwrap") and bubblewrap_works()), reason="bubblewrap is not usable on this machine"
)

LIMITS = Limits(timeout=3, cpu_seconds=20, memory_mb=256, output_bytes=100_000, file_size_mb=5, tmp_mb=16,
                processes=32)
MB = 1024 * 1024


# --- helpers ----------------------------------------------------------------------------------------------


@pytest.fixture
def sandbox() -> Sandbox:
    box = create_sandbox(limits=LIMITS)
    assert isinstance(box, BubblewrapSandbox)
    return box


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws.resolve()


@pytest.fixture
def marker() -> str:
    return f"autogpt-attack-{uuid.uuid4().hex}"


def processes_with(marker: str) -> list[int]:
    """Host processes (any namespace) whose command line contains ``marker``, this test process excepted."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = Path(entry.path, "cmdline").read_bytes()
        except OSError:
            continue
        if marker.encode() in cmdline:
            found.append(int(entry.name))
    return found


def wait_no_processes(marker: str, seconds: float = 2.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def host_can_spawn() -> bool:
    return subprocess.run(["/usr/bin/true"], timeout=10, check=False).returncode == 0


# Inside the sandbox: proof that we are in it before doing anything that would hurt a host.
GUARD = """
import os, socket
def in_sandbox(host_pid):
    try:
        init = open('/proc/1/cmdline', 'rb').read()
    except OSError:
        return False
    return init.startswith(b'bwrap') and not os.path.exists(f'/proc/{host_pid}') and socket.gethostname() == 'sandbox'
"""


class Recorder:
    """A TCP or UDP server on the host's 127.0.0.1 that records every connection or datagram."""

    def __init__(self, kind: int) -> None:
        self.kind = kind
        self.sock = socket.socket(socket.AF_INET, kind)
        self.sock.bind(("127.0.0.1", 0))
        if kind == socket.SOCK_STREAM:
            self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.events: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self.sock], [], [], 0.05)
            if not ready:
                continue
            if self.kind == socket.SOCK_STREAM:
                conn, addr = self.sock.accept()
                self.events.append(addr)
                conn.close()
            else:
                self.events.append(self.sock.recvfrom(65536))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def tcp_server() -> Iterator[Recorder]:
    server = Recorder(socket.SOCK_STREAM)
    yield server
    server.close()


@pytest.fixture
def udp_server() -> Iterator[Recorder]:
    server = Recorder(socket.SOCK_DGRAM)
    yield server
    server.close()


@pytest.fixture
def decoy_process(marker: str) -> Iterator[subprocess.Popen]:
    """A host process the sandbox should not be able to see, signal or trace."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", marker + "-decoy"])
    yield proc
    proc.kill()
    proc.wait(5)


# --- positive controls --------------------------------------------------------------------------------------


async def test_interpreter_works_and_runs_as_nobody(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os, sys, sqlite3, hashlib
        print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "cwd": os.getcwd(),
                          "version": sys.version_info[:2], "sha": hashlib.sha256(b"x").hexdigest()[:8]}))
    """)
    assert result.ok, result
    data = last_json(result)
    assert data["uid"] == data["euid"] == data["gid"] == 65534
    assert data["cwd"] == "/workspace"
    assert data["version"] == list(sys.version_info[:2])
    assert data["sha"] == "2d711642"


async def test_workspace_is_writable_and_files_appear_on_host(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    (workspace / "input.txt").write_text("from the host\n")
    result = await run_py(sandbox, workspace, f"""
        import os
        text = open('input.txt').read()
        os.makedirs('out/deep', exist_ok=True)
        open('out/deep/result.txt', 'w').write(text.upper() + '{marker}')
        print('ok')
    """)
    assert result.ok and result.stdout == "ok\n", result
    assert (workspace / "out/deep/result.txt").read_text() == f"FROM THE HOST\n{marker}"


async def test_execute_python_tool_runs_in_the_sandbox(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox, settings=Settings.load())
    out = await Tool(execute_python).call(
        {"code": "import os, socket; print(os.getuid(), os.getcwd(), socket.gethostname())"}, ctx)
    assert "Exit code: 0" in out
    assert "65534 /workspace sandbox" in out


# --- network ------------------------------------------------------------------------------------------------


async def test_tcp_to_host_loopback_is_refused(sandbox: Sandbox, workspace: Path, tcp_server: Recorder) -> None:
    result = await run_py(sandbox, workspace, """
        import json, socket, sys
        port = int(sys.argv[1])
        outcome = {}
        for host in ('127.0.0.1', 'localhost', '::1'):
            try:
                socket.create_connection((host, port), timeout=2).close()
                outcome[host] = 'connected'
            except OSError as exc:
                outcome[host] = type(exc).__name__
        print(json.dumps(outcome))
    """, str(tcp_server.port))
    outcome = last_json(result)
    assert "connected" not in outcome.values(), outcome
    time.sleep(0.2)
    assert tcp_server.events == []
    # Control: the server does record a connection from the host itself.
    socket.create_connection(("127.0.0.1", tcp_server.port), timeout=2).close()
    for _ in range(40):
        if tcp_server.events:
            break
        time.sleep(0.05)
    assert len(tcp_server.events) == 1


async def test_udp_to_host_loopback_never_arrives(sandbox: Sandbox, workspace: Path, udp_server: Recorder) -> None:
    result = await run_py(sandbox, workspace, """
        import socket, sys
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for _ in range(20):
            try:
                s.sendto(b'exfiltrated secret', ('127.0.0.1', int(sys.argv[1])))
            except OSError as exc:
                print('send failed', exc)
        print('sent')
    """, str(udp_server.port))
    assert result.exit_code == 0, result
    time.sleep(0.3)
    assert udp_server.events == []
    # Control: a datagram from the host does arrive.
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"control", ("127.0.0.1", udp_server.port))
    for _ in range(40):
        if udp_server.events:
            break
        time.sleep(0.05)
    assert [data for data, _ in udp_server.events] == [b"control"]


async def test_host_abstract_unix_socket_unreachable(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + marker)
    listener.listen(1)
    listener.setblocking(False)
    try:
        result = await run_py(sandbox, workspace, """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect('\\0' + sys.argv[1])
                print('connected')
            except OSError as exc:
                print('refused', type(exc).__name__)
        """, marker)
        assert "refused" in result.stdout and "connected" not in result.stdout, result
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()


async def test_only_loopback_and_no_dns(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os, socket
        names = [name for _, name in socket.if_nameindex()]
        out = {'interfaces': names, 'resolv_conf': os.path.exists('/etc/resolv.conf'),
               'hosts': os.path.exists('/etc/hosts')}
        if names == ['lo']:  # only then try a lookup: a broken sandbox must not reach a resolver
            try:
                out['dns'] = socket.getaddrinfo('example.com', 443)[0][4][0]
            except OSError as exc:
                out['dns'] = type(exc).__name__
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["interfaces"] == ["lo"]
    assert out["dns"] == "gaierror"
    assert not out["resolv_conf"] and not out["hosts"]


async def test_public_ip_unreachable(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, socket
        out = {'interfaces': [name for _, name in socket.if_nameindex()], 'errors': {}}
        if out['interfaces'] == ['lo']:  # never send a packet from a broken sandbox
            for addr in (('1.1.1.1', 443), ('8.8.8.8', 53), ('2606:4700:4700::1111', 443)):
                try:
                    socket.create_connection(addr, timeout=2).close()
                    out['errors'][addr[0]] = 'connected'
                except OSError as exc:
                    out['errors'][addr[0]] = exc.errno
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["interfaces"] == ["lo"]
    assert set(out["errors"].values()) <= {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL}, out
    assert len(out["errors"]) == 3


# --- the file system: writes ----------------------------------------------------------------------------------


async def test_writes_outside_workspace_fail_and_host_is_unchanged(sandbox: Sandbox, workspace: Path,
                                                                   marker: str) -> None:
    prefix = Path(sandbox.python).parent.parent
    targets = [f"/{marker}", f"/usr/{marker}", f"/usr/bin/{marker}", f"/usr/lib/{marker}", f"{prefix}/{marker}",
               f"{prefix}/bin/{marker}", f"/etc/{marker}", f"/root/{marker}", f"/workspace/../{marker}",
               f"/dev/{marker}", f"/proc/{marker}", f"{workspace.parent}/{marker}", f"{Path.home()}/{marker}"]
    host_paths = [Path(t.replace("/workspace/..", str(workspace.parent))) for t in targets]
    try:
        result = await run_py(sandbox, workspace, """
            import json, sys
            out = {}
            for path in sys.argv[1:]:
                try:
                    with open(path, 'w') as fh:
                        fh.write('pwned')
                    out[path] = 'written'
                except OSError as exc:
                    out[path] = type(exc).__name__
            print(json.dumps(out))
        """, *targets)
        out = last_json(result)
        assert "written" not in out.values(), out
        assert all(not path.exists() for path in host_paths)
    finally:
        for path in host_paths:  # only files named after this test's marker
            if path.is_file() and marker in path.name:
                path.unlink()


async def test_nothing_outside_workspace_and_private_tmp_is_writable(sandbox: Sandbox, workspace: Path) -> None:
    """A sweep of the whole sandbox: which paths could it write? Only its own scratch space."""
    read_only_roots = ["/usr", str(Path(sandbox.python).parent.parent)]
    result = await run_py(sandbox, workspace, """
        import json, os, sys
        ro_roots = sys.argv[1:]
        writable, not_ro = [], []
        for root in ro_roots:
            if not os.statvfs(root).f_flag & os.ST_RDONLY:
                not_ro.append(root)
        for folder, dirs, files in os.walk('/'):
            if folder in ro_roots:
                dirs[:] = []
                continue
            if folder == '/proc':
                dirs[:] = [d for d in dirs if not d.isdigit() and d not in ('self', 'thread-self')]
            for name in dirs + files:
                path = os.path.join(folder, name)
                if path not in ro_roots and os.access(path, os.W_OK, follow_symlinks=False):
                    writable.append(path)
        print(json.dumps({'writable': writable, 'not_ro': not_ro, 'root': os.access('/', os.W_OK)}))
    """, *read_only_roots, limits=Limits(timeout=30, memory_mb=256, output_bytes=1_000_000))
    out = last_json(result)
    assert out["not_ro"] == [] and out["root"] is False
    allowed_prefixes = ("/workspace", "/tmp", "/dev/shm", "/dev/pts")
    devices = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty"}
    unexpected = []
    for path in out["writable"]:
        if path in allowed_prefixes or path.startswith(tuple(p + "/" for p in allowed_prefixes)) or path in devices:
            continue
        if path.startswith("/proc/"):  # masked /proc files: /dev/null bound read-only (a device: access() says yes)
            continue
        unexpected.append(path)
    assert unexpected == []


async def test_private_tmp_is_not_the_hosts(sandbox: Sandbox, workspace: Path, tmp_path: Path, marker: str) -> None:
    secret = tmp_path / f"host-secret-{marker}.txt"
    secret.write_text("host secret")
    try:
        result = await run_py(sandbox, workspace, """
            import json, os, sys
            marker, secret = sys.argv[1], sys.argv[2]
            open(f'/tmp/{marker}', 'w').write('inside')
            os.makedirs(f'/tmp/{marker}-dir/x')
            print(json.dumps({'tmp': sorted(os.listdir('/tmp')), 'secret_visible': os.path.exists(secret)}))
        """, marker, str(secret))
        out = last_json(result)
        assert result.ok, result
        assert sorted(out["tmp"]) == sorted([marker, f"{marker}-dir"])  # nothing of the host's /tmp
        assert out["secret_visible"] is False
        assert not Path(f"/tmp/{marker}").exists() and not Path(f"/tmp/{marker}-dir").exists()
        assert not [name for name in os.listdir("/tmp") if marker in name]
    finally:
        for leftover in (Path(f"/tmp/{marker}"), Path(f"/tmp/{marker}-dir")):
            if leftover.is_dir():
                shutil.rmtree(leftover)
            elif leftover.exists():
                leftover.unlink()


async def test_rm_rf_of_a_host_folder_outside_workspace_fails(sandbox: Sandbox, workspace: Path,
                                                              tmp_path: Path) -> None:
    decoy = tmp_path / "decoy"
    (decoy / "sub").mkdir(parents=True)
    (decoy / "precious.txt").write_text("keep me")
    (decoy / "sub" / "more.txt").write_text("and me")
    result = await run_py(sandbox, workspace, """
        import json, shutil, subprocess, sys
        decoy = sys.argv[1]
        out = {}
        for path in (decoy, '/workspace/../decoy', '../decoy'):
            try:
                shutil.rmtree(path)
                out[path] = 'removed'
            except OSError as exc:
                out[path] = type(exc).__name__
            out['rm ' + path] = subprocess.run(['rm', '-rf', path], capture_output=True).returncode
        print(json.dumps(out))
    """, str(decoy))
    out = last_json(result)
    assert "removed" not in out.values(), out
    assert (decoy / "precious.txt").read_text() == "keep me"
    assert (decoy / "sub" / "more.txt").read_text() == "and me"


async def test_hard_link_of_a_host_file_into_workspace_fails(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os, sys
        out = {}
        for src in ('/usr/bin/env', sys.executable, '/etc/ld.so.cache'):
            try:
                os.link(src, '/workspace/' + os.path.basename(src) + '.link')
                out[src] = 'linked'
            except OSError as exc:
                out[src] = errno_name = __import__('errno').errorcode[exc.errno]
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert set(out.values()) <= {"EXDEV", "EPERM", "EACCES"}, out
    assert list(workspace.iterdir()) == []


# --- the file system: reads -----------------------------------------------------------------------------------


async def test_host_home_and_ssh_keys_are_not_visible(sandbox: Sandbox, workspace: Path) -> None:
    home = Path.home()
    host_entries = sorted(os.listdir(home)) if home.is_dir() else []
    # The interpreter may live under the home folder (pyenv): exactly the folders leading to it are there.
    bound = [p for p in (*sandbox._python_prefix(), *sandbox.read_only_paths) if home in p.parents]
    allowed = {p.relative_to(home).parts[0] for p in bound}
    result = await run_py(sandbox, workspace, """
        import json, os, sys
        home, names = sys.argv[1], sys.argv[2:]
        out = {'listing': sorted(os.listdir(home)) if os.path.isdir(home) else [],
               'visible': [n for n in names if os.path.lexists(os.path.join(home, n))],
               'ssh': os.path.exists(os.path.join(home, '.ssh')) or os.path.exists('/root/.ssh'),
               'read': {}}
        for name in ('.bash_history', '.bashrc', '.ssh/id_rsa', '.ssh/id_ed25519', '.netrc', '.git-credentials',
                     '.config/autogpt/.env', '.aws/credentials'):
            try:
                open(os.path.join(home, name)).read()
                out['read'][name] = 'read'
            except OSError as exc:
                out['read'][name] = type(exc).__name__
        print(json.dumps(out))
    """, str(home), *host_entries)
    out = last_json(result)
    assert set(out["listing"]) <= allowed, out
    assert set(out["visible"]) <= allowed, out
    assert out["ssh"] is False
    assert set(out["read"].values()) == {"FileNotFoundError"}, out


async def test_etc_shadow_passwd_and_host_config_absent(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os
        out = {'etc': sorted(os.listdir('/etc')), 'read': {}}
        for path in ('/etc/shadow', '/etc/passwd', '/etc/gshadow', '/etc/sudoers', '/etc/hostname', '/etc/hosts',
                     '/etc/ssh/ssh_host_ed25519_key', '/etc/machine-id', '/var/log/syslog', '/sys/kernel'):
            try:
                open(path, 'rb').read(1)
                out['read'][path] = 'read'
            except OSError as exc:
                out['read'][path] = type(exc).__name__
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert set(out["read"].values()) <= {"FileNotFoundError", "IsADirectoryError"}, out
    assert "read" not in out["read"].values()
    assert set(out["etc"]) <= {"ld.so.cache", "ld.so.conf", "localtime", "nsswitch.conf", "mime.types", "alternatives"}


async def test_parent_secrets_are_not_in_the_environment(sandbox: Sandbox, workspace: Path, marker: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    secret = f"sk-test-secret-{marker}"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    monkeypatch.setenv("AUTOGPT_API_KEY", secret + "-autogpt")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", secret + "-aws")
    code = """
        import glob, json, os
        blobs = {}
        for path in ['/proc/self/environ', '/proc/1/environ', *glob.glob('/proc/[0-9]*/environ')]:
            try:
                blobs[path] = open(path, 'rb').read().decode('utf-8', 'replace')
            except OSError as exc:
                blobs[path] = type(exc).__name__
        print(json.dumps({'env': dict(os.environ), 'blobs': blobs}))
    """
    result = await run_py(sandbox, workspace, code)
    out = last_json(result)
    assert set(out["env"]) <= set(SANDBOX_ENV) | {"LC_CTYPE", "PWD"}, out["env"]
    assert "OPENAI_API_KEY" not in out["env"] and "AUTOGPT_API_KEY" not in out["env"]
    assert "sk-test-secret" not in result.stdout + result.stderr
    assert "/proc/1/environ" in out["blobs"] and "PATH=" in out["blobs"]["/proc/1/environ"]
    # The same through the tool the agent uses.
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox, settings=Settings.load())
    tool_out = await Tool(execute_python).call({"code": textwrap.dedent(code)}, ctx)
    assert "Exit code: 0" in tool_out
    assert "sk-test-secret" not in tool_out and "OPENAI_API_KEY" not in tool_out


async def test_host_processes_are_invisible(sandbox: Sandbox, workspace: Path, marker: str,
                                            decoy_process: subprocess.Popen) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os, sys
        pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
        cmdlines = [open(f'/proc/{p}/cmdline', 'rb').read().decode('utf-8', 'replace') for p in pids
                    if os.path.exists(f'/proc/{p}/cmdline')]
        print(json.dumps({'pids': pids, 'me': os.getpid(), 'ppid': os.getppid(), 'cmdlines': cmdlines,
                          'host_pid_visible': os.path.exists(f'/proc/{sys.argv[1]}'),
                          'decoy_visible': os.path.exists(f'/proc/{sys.argv[2]}')}))
    """, str(os.getpid()), str(decoy_process.pid))
    out = last_json(result)
    assert out["ppid"] == 1 and out["me"] <= 3
    assert set(out["pids"]) == {1, out["me"]}, out["pids"]
    assert not out["host_pid_visible"] and not out["decoy_visible"]
    assert out["cmdlines"][0].startswith("bwrap\0")  # pid 1: the sandbox's own init
    assert not any(marker in c for c in out["cmdlines"])


# --- resources ----------------------------------------------------------------------------------------------


async def test_fork_bomb_is_contained(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    started = time.monotonic()
    result = await run_py(sandbox, workspace, """
        import os, sys, time
        failed, original = 0, True
        for _ in range(11):  # at most 2**11 processes even if nothing limited it
            try:
                if os.fork() == 0:
                    original = False
            except OSError:
                failed += 1
        if original:  # then 64 more, one after the other: with 32 processes allowed, some must fail
            for _ in range(64):
                try:
                    if os.fork() == 0:
                        original = False
                        break
                except OSError:
                    failed += 1
            if original:
                print('fork failures', failed, flush=True)
        deadline = time.time() + 30
        while time.time() < deadline:  # then everyone keeps trying to fork, until killed
            try:
                pid = os.fork()
                if pid == 0:
                    os._exit(0)
                os.waitpid(pid, 0)
            except OSError:
                time.sleep(0.01)
    """, marker)
    elapsed = time.monotonic() - started
    assert result.killed == "timeout" and result.exit_code is None, result
    assert elapsed < LIMITS.timeout + 3
    fails = [int(line.split()[-1]) for line in result.stdout.splitlines() if line.startswith("fork failures")]
    assert fails and fails[0] > 0, result  # the process limit stopped it well before 2**11
    assert wait_no_processes(marker) == []
    assert host_can_spawn()


async def test_memory_bomb_fails(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import sys
        try:
            big = bytearray(4 * 1024 ** 3)
            print('allocated 4 GB')
        except MemoryError:
            print('MemoryError at once')
        chunks = []
        for _ in range(256):  # 4 GB at most, 16 MB at a time
            chunks.append(bytearray(16 * 1024 ** 2))
        print('allocated', len(chunks) * 16, 'MB')
    """)
    assert "allocated" not in result.stdout, result
    assert "MemoryError at once" in result.stdout
    assert "MemoryError" in result.stderr or result.killed == "memory limit" or result.signal == signal.SIGKILL
    assert not result.ok
    assert host_can_spawn()


async def test_tmpfs_cannot_be_used_to_fill_memory(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import errno, json, os
        out = {}
        for folder in ('/tmp', '/dev/shm', '/', '/dev'):
            written = 0
            try:
                for i in range(64):  # 64 x 4 MB = 256 MB at most
                    with open(os.path.join(folder, f'fill{i}'), 'wb') as fh:
                        fh.write(b'x' * (4 * 1024 * 1024))
                    written += 4
                out[folder] = written
            except OSError as exc:
                out[folder] = [written, errno.errorcode[exc.errno]]
        print(json.dumps(out))
    """)
    out = last_json(result)
    # /tmp and /dev/shm stop at their size (16 MB here); / and /dev are read-only
    assert out["/tmp"][1] == "ENOSPC" and out["/tmp"][0] <= LIMITS.tmp_mb, out
    assert out["/dev/shm"][1] == "ENOSPC" and out["/dev/shm"][0] <= LIMITS.tmp_mb, out
    assert out["/"] == [0, "EROFS"] and out["/dev"] == [0, "EROFS"], out


async def test_cpu_spin_is_killed_at_the_timeout(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    started = time.monotonic()
    result = await run_py(sandbox, workspace, """
        import time
        end = time.time() + 30
        while time.time() < end:
            pass
    """, marker)
    assert result.killed == "timeout" and result.exit_code is None
    assert LIMITS.timeout - 0.5 < time.monotonic() - started < LIMITS.timeout + 3
    assert wait_no_processes(marker) == []


async def test_cpu_limit_stops_a_spin_before_the_timeout(sandbox: Sandbox, workspace: Path) -> None:
    limits = Limits(timeout=15, cpu_seconds=1, memory_mb=256, output_bytes=10_000)
    result = await run_py(sandbox, workspace, """
        import time
        end = time.time() + 30
        while time.time() < end:
            pass
    """, limits=limits)
    assert result.killed is None and result.exit_code is None, result
    assert result.signal in (signal.SIGXCPU, signal.SIGKILL)  # reported as a signal, not as "exit code 137"
    assert result.seconds < 6


async def test_sleep_forever_is_killed_at_the_timeout(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    # `sleep infinity` inside: run through a shell script so the marker is in a command line we can look for
    (workspace / f"{marker}.sh").write_text("exec sleep infinity\n")
    result = await asyncio.wait_for(sandbox.run(["sh", f"{marker}.sh"], workspace), 40)
    assert result.killed == "timeout" and result.exit_code is None and result.signal == signal.SIGKILL
    assert LIMITS.timeout - 0.5 < result.seconds < LIMITS.timeout + 3
    assert wait_no_processes(marker) == []


async def test_huge_output_is_capped(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import sys
        line = 'x' * 1023 + '\\n'
        for _ in range(50 * 1024):  # 50 MB at most
            sys.stdout.write(line)
            sys.stderr.write(line)
    """)
    assert result.killed == "output limit" and result.exit_code is None, result.killed
    assert len(result.stdout.encode()) <= LIMITS.output_bytes
    assert len(result.stderr.encode()) <= LIMITS.output_bytes
    assert len(result.stdout) > LIMITS.output_bytes // 2 or len(result.stderr) > LIMITS.output_bytes // 2


async def test_huge_file_is_stopped_at_the_size_limit(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        chunk = b'x' * (1024 * 1024)
        with open('big.bin', 'wb') as fh:
            for _ in range(50):  # 50 MB at most
                fh.write(chunk)
                fh.flush()
        print('wrote 50 MB')
    """)
    assert "wrote 50 MB" not in result.stdout
    assert result.signal == signal.SIGXFSZ or "File too large" in result.stderr, result
    assert (workspace / "big.bin").stat().st_size <= LIMITS.file_size_mb * MB


# --- processes and signals ------------------------------------------------------------------------------------


async def test_killing_the_parent_and_everything_leaves_the_host_alone(
    sandbox: Sandbox, workspace: Path, decoy_process: subprocess.Popen,
) -> None:
    result = await run_py(sandbox, workspace, GUARD + """
import signal, subprocess, sys
host_pid, decoy_pid = int(sys.argv[1]), int(sys.argv[2])
if not in_sandbox(host_pid):
    print('NOT IN A SANDBOX: refusing to send signals')
    sys.exit(3)
out = []
for target in (os.getppid(), host_pid, decoy_pid, 1):
    try:
        os.kill(target, signal.SIGKILL)
        out.append(f'{target}: sent')
    except OSError as exc:
        out.append(f'{target}: {type(exc).__name__}')
print(out, flush=True)
subprocess.run(['kill', '-9', '-1'])  # everything we may signal, ourselves included
os.kill(-1, signal.SIGKILL)
print('still alive')
    """, str(os.getpid()), str(decoy_process.pid))
    assert "NOT IN A SANDBOX" not in result.stdout
    assert result.exit_code != 3
    assert f"{decoy_process.pid}: ProcessLookupError" in result.stdout or decoy_process.pid <= 3
    assert decoy_process.poll() is None  # the host process is untouched
    os.kill(os.getpid(), 0)  # and so are we
    assert host_can_spawn()


async def test_ptrace_of_host_processes_fails(sandbox: Sandbox, workspace: Path,
                                              decoy_process: subprocess.Popen) -> None:
    result = await run_py(sandbox, workspace, """
        import ctypes, json, os, sys
        libc = ctypes.CDLL(None, use_errno=True)
        PTRACE_SEIZE = 0x4206  # like ATTACH, but does not stop the target
        out = {}
        for name, pid in (('test', int(sys.argv[1])), ('decoy', int(sys.argv[2]))):
            rc = libc.ptrace(PTRACE_SEIZE, pid, None, None)
            out[name] = 'attached' if rc == 0 else os.strerror(ctypes.get_errno())
        out['parent'] = open(f'/proc/{os.getppid()}/cmdline', 'rb').read().split(b'\\0')[0].decode()
        print(json.dumps(out))
    """, str(os.getpid()), str(decoy_process.pid))
    out = last_json(result)
    # EPERM: the system-call filter refuses ptrace; ESRCH: without it, the PID namespace hides them
    assert out["test"] == out["decoy"] and out["test"] in (os.strerror(errno.EPERM), os.strerror(errno.ESRCH)), out
    assert out["parent"] == "bwrap"  # its parent is the sandbox's own init, not this process
    assert decoy_process.poll() is None
    status = Path(f"/proc/{decoy_process.pid}/status").read_text()
    assert "TracerPid:\t0" in status


async def test_daemon_left_after_normal_exit_is_killed(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    result = await run_py(sandbox, workspace, """
        import os, subprocess, sys
        if os.fork() == 0:  # the classic double fork + setsid
            os.setsid()
            if os.fork() == 0:
                os.execv(sys.executable, [sys.executable, '-c', 'import time; time.sleep(1000)', sys.argv[1]])
            os._exit(0)
        subprocess.Popen(['sleep', '1000'], start_new_session=True, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', sys.argv[1] + '-popen'],
                         start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print('parent exits')
    """, marker)
    assert result.exit_code == 0 and result.killed is None, result
    assert result.seconds < 2
    assert wait_no_processes(marker) == []


async def test_daemon_left_after_timeout_is_killed(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    result = await run_py(sandbox, workspace, """
        import os, subprocess, sys, time
        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', sys.argv[1]],
                         start_new_session=True, stdin=subprocess.DEVNULL)  # keeps stdout open, too
        time.sleep(60)
    """, marker)
    assert result.killed == "timeout"
    assert result.seconds < LIMITS.timeout + 3
    assert wait_no_processes(marker) == []


# --- /proc, mounts, namespaces ----------------------------------------------------------------------------------


async def test_proc_root_links_show_only_the_sandbox(sandbox: Sandbox, workspace: Path) -> None:
    host_only = sorted(set(os.listdir("/")) - {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc",
                                               "tmp", "proc", "dev", "root", "workspace"})
    assert host_only  # e.g. var, home, opt, srv, work...
    result = await run_py(sandbox, workspace, """
        import json, os, sys
        out = {}
        for path in ('/proc/1/root', '/proc/self/root', '/proc/self/root/../..', '/proc/self/cwd/../..',
                     '/workspace/../../..'):
            try:
                out[path] = sorted(os.listdir(path))
            except OSError as exc:
                out[path] = type(exc).__name__
        out['reach'] = [n for n in sys.argv[1:] if os.path.exists('/proc/self/root/' + n)
                        or os.path.exists('/proc/1/root/' + n)]
        print(json.dumps(out))
    """, *host_only)
    out = last_json(result)
    assert out["reach"] == []
    for path, listing in out.items():
        if isinstance(listing, list) and path != "reach":
            assert not set(listing) & set(host_only), (path, listing)


async def test_proc_sys_and_sysrq_cannot_be_opened_for_writing(sandbox: Sandbox, workspace: Path) -> None:
    # Only *opened* for writing, never written: on a broken sandbox nothing changes.
    watched = ["/proc/sys/kernel/core_pattern", "/proc/sys/vm/overcommit_ratio", "/proc/sys/kernel/hostname"]
    before = {p: Path(p).read_text() for p in watched}
    result = await run_py(sandbox, workspace, """
        import json, os
        out = {}
        for path in ('/proc/sys/kernel/core_pattern', '/proc/sys/vm/overcommit_ratio', '/proc/sys/vm/drop_caches',
                     '/proc/sys/kernel/hostname', '/proc/sys/kernel/modprobe', '/proc/sysrq-trigger',
                     '/proc/sys/fs/binfmt_misc/register', '/proc/self/oom_score_adj', '/proc/1/oom_score_adj'):
            try:
                fd = os.open(path, os.O_WRONLY)
                os.close(fd)  # nothing written
                out[path] = 'opened'
            except OSError as exc:
                out[path] = type(exc).__name__
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert "opened" not in out.values(), out
    assert {p: Path(p).read_text() for p in watched} == before


async def test_sensitive_proc_files_are_hidden(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os
        out = {}
        for name in ('kcore', 'kmsg', 'keys', 'key-users', 'kpagecount', 'kpageflags', 'slabinfo', 'vmallocinfo',
                     'timer_list', 'sched_debug'):
            try:
                fd = os.open('/proc/' + name, os.O_RDONLY | os.O_NONBLOCK)
                try:
                    out[name] = len(os.read(fd, 4096))
                finally:
                    os.close(fd)
            except OSError as exc:
                out[name] = type(exc).__name__
        print(json.dumps(out))
    """)
    out = last_json(result)
    leaked = {name: v for name, v in out.items() if isinstance(v, int) and v > 0}
    assert leaked == {}, out


async def test_mount_unshare_and_new_user_namespaces_fail(sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "mnt").mkdir()
    try:
        result = await run_py(sandbox, workspace, """
            import ctypes, json, os, subprocess
            libc = ctypes.CDLL(None, use_errno=True)
            def call(fn, *args):
                return 'ok' if fn(*args) == 0 else os.strerror(ctypes.get_errno())
            out = {
                'mount proc': call(libc.mount, b'proc', b'/workspace/mnt', b'proc', 0, None),
                'mount tmpfs': call(libc.mount, b'none', b'/workspace/mnt', b'tmpfs', 0, None),
                'remount / rw': call(libc.mount, None, b'/', None, 0x20 | 0x1000 , None),  # MS_REMOUNT|MS_BIND
                'unshare user': call(libc.unshare, 0x10000000),
                'unshare mount': call(libc.unshare, 0x00020000),
                'unshare net': call(libc.unshare, 0x40000000),
                'chroot': call(libc.chroot, b'/tmp'),
                'unshare -r': subprocess.run(['unshare', '-r', 'id', '-u'], capture_output=True).returncode,
            }
            print(json.dumps(out))
        """)
        out = last_json(result)
        assert "ok" not in out.values(), out
        assert out["unshare -r"] != 0
        assert not os.path.ismount(workspace / "mnt") and list((workspace / "mnt").iterdir()) == []
    finally:
        if os.path.ismount(workspace / "mnt"):
            subprocess.run(["umount", "-l", str(workspace / "mnt")], check=False)


# --- privileges -------------------------------------------------------------------------------------------------


async def test_no_capabilities_and_setuid_fails(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os
        status = dict(line.split(':\\t', 1) for line in open('/proc/self/status').read().splitlines() if ':\\t' in line)
        out = {k: status[k].strip() for k in ('CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs')}
        for name, fn in (('setuid', lambda: os.setuid(0)), ('setgid', lambda: os.setgid(0)),
                         ('seteuid', lambda: os.seteuid(0)), ('setgroups', lambda: os.setgroups([0])),
                         ('chown', lambda: os.chown('/workspace', 0, 0))):
            try:
                fn()
                out[name] = 'ok'
            except OSError as exc:
                out[name] = type(exc).__name__
        out['uid'] = os.getresuid()
        print(json.dumps(out))
    """)
    out = last_json(result)
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(out[cap], 16) == 0, out
    assert out["NoNewPrivs"] == "1"
    assert "ok" not in [out[k] for k in ("setuid", "setgid", "seteuid", "setgroups", "chown")], out
    assert out["uid"] == [65534, 65534, 65534]


async def test_setuid_binaries_do_not_grant_root(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os, shutil, subprocess
        out = {}
        for argv in (['su', '-c', 'id -u'], ['passwd', '-d', 'root'], ['sudo', '-n', 'id', '-u'],
                     ['newgrp', 'root'], ['mount', '-t', 'tmpfs', 'none', '/tmp']):
            if shutil.which(argv[0]):
                done = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=5)
                out[argv[0]] = [done.returncode, done.stdout.strip()]
        # A set-uid copy made inside: the filter refuses the bit (and the workspace is mounted nosuid)
        shutil.copy('/usr/bin/id', 'myid')
        try:
            os.chmod('myid', 0o4755)
            out['chmod u+s'] = 'ok'
        except OSError as exc:
            out['chmod u+s'] = type(exc).__name__
        out['own suid copy'] = subprocess.run(['./myid', '-u'], capture_output=True, text=True).stdout.strip()
        out['mode inside'] = oct(os.stat('myid').st_mode)
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["own suid copy"] == "65534"
    assert out["chmod u+s"] == "PermissionError"
    for name, (code, stdout) in ((k, v) for k, v in out.items() if isinstance(v, list)):
        assert code != 0 and stdout != "0", (name, code, stdout)
    assert "su" in out  # the interesting one is really there
    # On the host, where that file belongs to whoever runs autogpt, the set-uid bit has been cleared.
    mode = (workspace / "myid").stat().st_mode
    assert not mode & (stat.S_ISUID | stat.S_ISGID), oct(mode)


async def test_setuid_and_setgid_files_left_in_workspace_are_defused(sandbox: Sandbox, workspace: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # The second layer: with the system-call filter (the first, see test_sandbox_hardening.py) out of the way,
    # the bits can be set, and are cleared when the command ends.
    from autogpt.sandbox import seccomp

    def no_filter() -> int:
        raise seccomp.SeccompUnavailableError("switched off for this test")

    monkeypatch.setattr(seccomp, "program_fd", no_filter)
    monkeypatch.setattr(sandbox, "require_seccomp", False)
    result = await run_py(sandbox, workspace, """
        import os, shutil
        shutil.copy('/usr/bin/true', 'rootshell')
        os.chmod('rootshell', 0o4755)
        os.close(os.open('created-setuid', os.O_CREAT | os.O_WRONLY, 0o6755))
        os.makedirs('a/b/c')
        shutil.copy('/usr/bin/true', 'a/b/c/deep')
        os.chmod('a/b/c/deep', 0o2755)
        os.chmod('a', 0o2775)
        os.symlink('/usr/bin/su', 'link-to-su')
        print(oct(os.stat('rootshell').st_mode))
    """)
    assert result.ok and result.stdout.strip() == "0o104755", result  # it did manage to set it...
    for path in (workspace / "rootshell", workspace / "created-setuid", workspace / "a/b/c/deep", workspace / "a"):
        mode = path.stat().st_mode
        assert not mode & (stat.S_ISUID | stat.S_ISGID), (path, oct(mode))  # ...but not for long
    assert os.stat("/usr/bin/su").st_mode & stat.S_ISUID  # the link was not followed


async def test_kernel_modules_cannot_be_loaded(sandbox: Sandbox, workspace: Path) -> None:
    modules_before = Path("/proc/modules").read_text() if Path("/proc/modules").exists() else None
    result = await run_py(sandbox, workspace, """
        import ctypes, errno, json, os, shutil, subprocess
        libc = ctypes.CDLL(None, use_errno=True)
        out = {}
        # init_module(NULL, 0, "") and finit_module(-1, "", 0): nothing that could load even if permitted
        for name, args in (('init_module', (175, None, 0, b'')), ('finit_module', (313, -1, b'', 0)),
                           ('delete_module', (176, b'loop', 0))):
            rc = libc.syscall(*args)
            out[name] = 'ok' if rc == 0 else errno.errorcode[ctypes.get_errno()]
        if shutil.which('modprobe'):
            out['modprobe'] = subprocess.run(['modprobe', 'dummy'], capture_output=True).returncode
        print(json.dumps(out))
    """)
    out = last_json(result)
    for name in ("init_module", "finit_module", "delete_module"):
        assert out[name] in ("EPERM", "ENOSYS"), out
    assert out.get("modprobe", 1) != 0
    if modules_before is not None:
        assert Path("/proc/modules").read_text() == modules_before


async def test_hostname_change_stays_inside(sandbox: Sandbox, workspace: Path, marker: str) -> None:
    host_name = socket.gethostname()
    try:
        result = await run_py(sandbox, workspace, GUARD + """
import ctypes, json, sys
libc = ctypes.CDLL(None, use_errno=True)
out = {'before': socket.gethostname()}
if in_sandbox(int(sys.argv[2])):  # never try this where it could rename the host
    new = sys.argv[1][:60].encode()
    out['sethostname'] = 'ok' if libc.sethostname(new, len(new)) == 0 else os.strerror(ctypes.get_errno())
    out['after'] = socket.gethostname()
print(json.dumps(out))
        """, marker, str(os.getpid()))
        out = last_json(result)
        assert out["before"] == "sandbox"
        assert out["sethostname"] == os.strerror(errno.EPERM)
        assert out["after"] == "sandbox"
        assert socket.gethostname() == host_name
    finally:
        if socket.gethostname() != host_name:  # pragma: no cover - only if the sandbox failed
            socket.sethostname(host_name)


async def test_device_access_is_minimal(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os
        out = {'dev': sorted(os.listdir('/dev'))}
        # Existence only: a raw disk is never opened, even if it were there.
        out['present'] = [d for d in ('/dev/sda', '/dev/vda', '/dev/nvme0n1', '/dev/mem', '/dev/kmem', '/dev/port',
                                      '/dev/kmsg', '/dev/fuse', '/dev/net/tun', '/dev/kvm', '/dev/loop0')
                          if os.path.exists(d)]
        try:
            os.mknod('/workspace/sda', 0o600 | 0o060000, os.makedev(8, 0))
            out['mknod'] = 'ok'
        except OSError as exc:
            out['mknod'] = type(exc).__name__
        try:
            open('/dev/evil', 'w')
            out['create in /dev'] = 'ok'
        except OSError as exc:
            out['create in /dev'] = type(exc).__name__
        with open('/dev/null', 'w') as fh:  # the harmless ones work
            fh.write('x')
        out['urandom'] = len(open('/dev/urandom', 'rb').read(16))
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["present"] == []
    assert out["mknod"] == "PermissionError" and out["create in /dev"] == "OSError", out
    assert set(out["dev"]) <= {"core", "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin",
                               "stdout", "tty", "urandom", "zero"}
    assert out["urandom"] == 16
    assert not (workspace / "sda").exists()


# --- symbolic links and special files in the workspace -------------------------------------------------------------


async def test_symlink_escape_sees_only_the_sandbox_and_host_tools_refuse(sandbox: Sandbox, workspace: Path,
                                                                          marker: str) -> None:
    result = await run_py(sandbox, workspace, """
        import json, os
        os.symlink('/', 'root_link')
        os.symlink('/etc', 'etc_link')
        os.symlink('/etc/shadow', 'shadow')
        os.symlink('/root', 'home_link')
        os.symlink('../../../../../../..', 'up')
        out = {'root': sorted(os.listdir('root_link')), 'up': sorted(os.listdir('up')),
               'etc': sorted(os.listdir('etc_link'))}
        try:
            open('shadow').read()
            out['shadow'] = 'read'
        except OSError as exc:
            out['shadow'] = type(exc).__name__
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert "shadow" in out and out["shadow"] == "FileNotFoundError"
    host_only = set(os.listdir("/")) - {"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "etc", "tmp",
                                        "proc", "dev", "root"}
    assert not set(out["root"]) & host_only and not set(out["up"]) & host_only
    assert "passwd" not in out["etc"] and "shadow" not in out["etc"]
    # The links are in the host's workspace now: the file tools refuse to follow them out.
    ws = Workspace(workspace)
    for path in ("root_link/etc/passwd", "etc_link/passwd", "shadow", "home_link/.bashrc", "up/etc/hostname"):
        with pytest.raises(WorkspacePathError):
            ws.resolve(path)
    with pytest.raises(WorkspacePathError):
        ws.read_text("shadow")
    with pytest.raises(WorkspacePathError):
        ws.write_text(f"etc_link/{marker}", "pwned")
    assert not Path(f"/etc/{marker}").exists()


async def test_fifo_and_device_tricks_do_not_hang_host_tools(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import os
        os.mkfifo('trap.txt')
        os.symlink('/dev/zero', 'zero.txt')
        print('ok')
    """)
    assert result.ok, result
    ws = Workspace(workspace)
    started = time.monotonic()
    for name in ("trap.txt", "zero.txt"):
        with pytest.raises(WorkspacePathError):
            ws.read_text(name)
    assert time.monotonic() - started < 2


async def test_cgroup_and_rlimits_are_in_place_inside(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, """
        import json, resource
        names = ('RLIMIT_CPU', 'RLIMIT_AS', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE', 'RLIMIT_CORE')
        out = {n: resource.getrlimit(getattr(resource, n)) for n in names}
        try:
            resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
            out['raise'] = 'ok'
        except (ValueError, OSError) as exc:
            out['raise'] = type(exc).__name__
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["RLIMIT_AS"] == [LIMITS.memory_mb * MB] * 2
    assert out["RLIMIT_FSIZE"] == [LIMITS.file_size_mb * MB] * 2
    assert out["RLIMIT_CPU"] == [LIMITS.cpu_seconds] * 2
    assert out["RLIMIT_CORE"] == [0, 0]
    assert out["raise"] != "ok"  # a hard limit cannot be raised again
