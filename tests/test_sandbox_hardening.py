"""The sandbox's hardening beyond namespaces: the system-call filter (kernel keyring, set-uid/set-gid bits, io_uring
and the rest of the kernel surface Docker's default profile closes, socket families, other system-call ABIs),
failing closed without libseccomp, and the workspace quota.

Like test_sandbox_attacks.py, every test runs real hostile code inside the sandbox and checks that the attack
failed inside AND that the host is unchanged; everything the attacks touch is a decoy the test made (a key of its
own in the session keyring, files in its own workspace), and every writer is bounded (a few hundred MB at most).
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from autogpt.errors import SandboxUnavailableError
from autogpt.sandbox import Limits, Sandbox, create_sandbox
from autogpt.sandbox import bubblewrap as bubblewrap_module
from autogpt.sandbox.bubblewrap import BubblewrapSandbox, bubblewrap_works
from autogpt.tools.code import format_result
from sandbox_run import last_json, run_py

pytestmark = pytest.mark.skipif(
    not (shutil.which("bwrap") and bubblewrap_works()), reason="bubblewrap is not usable on this machine"
)

LIMITS = Limits(timeout=10, cpu_seconds=20, memory_mb=512, output_bytes=100_000, file_size_mb=5, tmp_mb=16,
                processes=32)
MB = 1024 * 1024
SETID = stat.S_ISUID | stat.S_ISGID
X86_64 = os.uname().machine == "x86_64"


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


def quota_limits(**quota: int) -> Limits:
    """LIMITS with a small workspace quota (``workspace_mb``, ``workspace_files``) and room to run."""
    return Limits(**{**LIMITS.__dict__, "timeout": 20, **quota})


def disk_usage(root: Path) -> tuple[int, int]:
    """Bytes (the larger of size and blocks) and entries under ``root``, as the host sees them."""
    total = count = 0
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            st = os.lstat(os.path.join(folder, name))
            total += max(st.st_size, st.st_blocks * 512)
            count += 1
    return total, count


# Inside the sandbox: call a system call by number and name the outcome ('ok' or the errno's name).
SYSCALL = """
import ctypes, errno, json, os
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def sys_(nr, *args):
    rc = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) if isinstance(a, int) else a for a in args])
    return 'ok' if rc >= 0 else errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
"""


# --- the kernel keyring -----------------------------------------------------------------------------------------


def _host_key(description: str, payload: bytes) -> int:
    """Add a 'user' key to this process's session keyring (joining the user-session keyring if it has none)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    key = libc.syscall(ctypes.c_long(248), b"user", description.encode(), payload, ctypes.c_size_t(len(payload)),
                       ctypes.c_long(-3))  # add_key(..., KEY_SPEC_SESSION_KEYRING)
    return int(key)


def _drop_host_key(key: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall(ctypes.c_long(250), ctypes.c_long(21), ctypes.c_long(key))  # keyctl(KEYCTL_INVALIDATE, key)


async def test_host_session_keyring_is_out_of_reach(sandbox: Sandbox, workspace: Path) -> None:
    secret = f"secret-{uuid.uuid4().hex}".encode()
    description = f"autogpt-test-{uuid.uuid4().hex[:8]}"
    key = _host_key(description, secret)
    try:
        result = await run_py(sandbox, workspace, SYSCALL + """
import sys
key = int(sys.argv[1])
buf = ctypes.create_string_buffer(4096)
out = {
    'read host key': sys_(250, 11, key, buf, 4096),  # KEYCTL_READ
    'session keyring id': sys_(250, 0, -3, 0),  # KEYCTL_GET_KEYRING_ID @s
    'search': sys_(250, 10, -3, b'user', sys.argv[2].encode(), 0),  # KEYCTL_SEARCH
    'add_key': sys_(248, b'user', b'planted', b'x', 1, -3),
    'request_key': sys_(249, b'user', sys.argv[2].encode(), None, 0),
    'buffer': buf.raw.rstrip(b'\\0').decode('latin-1'),
}
try:
    out['/proc/keys'] = open('/proc/keys').read()
except OSError as exc:
    out['/proc/keys'] = type(exc).__name__
print(json.dumps(out))
""", str(key), description)
    finally:
        if key > 0:
            _drop_host_key(key)
    out = last_json(result)
    for name in ("read host key", "session keyring id", "search", "add_key", "request_key"):
        assert out[name] in ("EPERM", "ENOSYS"), out
    assert secret.decode() not in json.dumps(out) and description not in out["/proc/keys"]


# --- set-uid / set-gid bits -------------------------------------------------------------------------------------


SETID_ATTACKS = SYSCALL + """
import shutil, stat
os.umask(0)
out = {}
def attempt(name, fn):
    try:
        fn()
        out[name] = 'ok'
    except OSError as exc:
        out[name] = errno.errorcode[exc.errno]
shutil.copy('/usr/bin/true', 'shell')
attempt('chmod u+s', lambda: os.chmod('shell', 0o4755))
attempt('chmod g+s', lambda: os.chmod('shell', 0o2755))
attempt('chmod 6777', lambda: os.chmod('shell', 0o6777))
fd = os.open('shell', os.O_RDONLY)
attempt('fchmod u+s', lambda: os.fchmod(fd, 0o4755))
out['fchmodat'] = sys_(268, -100, b'shell', 0o4755)  # AT_FDCWD
out['fchmodat2'] = sys_(452, -100, b'shell', 0o2755, 0)  # Linux 6.6+; ENOSYS before
out['chmod, mode with high garbage'] = sys_(90, b'shell', (1 << 40) | 0o4755)
attempt('chmod 755', lambda: os.chmod('shell', 0o755))  # ordinary modes still work
attempt('open O_CREAT 4755', lambda: os.close(os.open('created', os.O_CREAT | os.O_WRONLY, 0o4755)))
out['openat O_CREAT 2755'] = sys_(257, -100, b'created-at', os.O_CREAT | os.O_WRONLY, 0o2755)
out['creat 4755'] = sys_(85, b'created-creat', 0o4755)
attempt('mknod S_IFREG 4755', lambda: os.mknod('made-by-mknod', stat.S_IFREG | 0o4755))
attempt('mkdir 2755', lambda: os.mkdir('dir', 0o2755))
attempt('mkdir 755', lambda: os.mkdir('plain-dir', 0o755))
attempt('chmod dir g+s', lambda: os.chmod('plain-dir', 0o2775))
out['openat2'] = sys_(437, -100, b'x', None, 0)
out['modes inside'] = {p: oct(os.lstat(p).st_mode) for p in os.listdir('.')}
print(json.dumps(out))
"""


async def test_setid_bits_cannot_be_made_even_when_nothing_clears_them(
    sandbox: Sandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # autogpt killed before its sweep: nothing clears the bits after the command, so none may exist at all
    monkeypatch.setattr(bubblewrap_module, "strip_setid_bits", lambda root: [])
    out = last_json(await run_py(sandbox, workspace, SETID_ATTACKS))
    for name in ("chmod u+s", "chmod g+s", "chmod 6777", "fchmod u+s", "fchmodat", "chmod, mode with high garbage",
                 "open O_CREAT 4755", "openat O_CREAT 2755", "creat 4755", "mknod S_IFREG 4755", "mkdir 2755",
                 "chmod dir g+s"):
        assert out[name] == "EPERM", (name, out)
    assert out["fchmodat2"] in ("EPERM", "ENOSYS"), out
    assert out["openat2"] == "ENOSYS", out  # libc falls back to openat, whose mode the filter can see
    assert out["chmod 755"] == out["mkdir 755"] == "ok", out
    assert not any(int(mode, 8) & SETID for mode in out["modes inside"].values()), out["modes inside"]
    for path in [workspace, *workspace.rglob("*")]:
        mode = path.lstat().st_mode
        assert not mode & SETID, (path, oct(mode))


# --- kernel attack surface --------------------------------------------------------------------------------------


async def test_kernel_attack_surface_is_closed(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, SYSCALL + """
import time
child = os.fork()
if child == 0:
    time.sleep(10)
    os._exit(0)
params = ctypes.create_string_buffer(256)
perf_attr = ctypes.create_string_buffer(128)
perf_attr[0:8] = (1).to_bytes(4, 'little') + (128).to_bytes(4, 'little')  # PERF_TYPE_SOFTWARE, size
perf_attr[40:48] = (0b1100000).to_bytes(8, 'little')  # exclude_kernel | exclude_hv: what anyone may measure
bpf_attr = ctypes.create_string_buffer(128)
bpf_attr[0:16] = b''.join(v.to_bytes(4, 'little') for v in (2, 4, 4, 1))  # BPF_MAP_TYPE_ARRAY, 4, 4, 1 entry
out = {
    'io_uring_setup': sys_(425, 4, params),
    'io_uring_enter': sys_(426, 0, 0, 0, 0, None, 0),
    'io_uring_register': sys_(427, 0, 0, None, 0),
    'bpf map': sys_(321, 0, bpf_attr, 128),
    'perf_event_open self': sys_(298, perf_attr, 0, -1, -1, 0),
    'userfaultfd user-mode-only': sys_(323, 1),  # UFFD_USER_MODE_ONLY: allowed to anyone without the filter
    'ptrace own child': sys_(101, 0x4206, child, 0, 0),  # PTRACE_SEIZE
    'personality no-aslr': sys_(135, 0x0040000),
    'unshare nothing': sys_(272, 0),
    'setns': sys_(308, -1, 0),
    'clone3': sys_(435, None, 0),
    'fsopen tmpfs': sys_(430, b'tmpfs', 0),
    'open_tree': sys_(428, -100, b'/tmp', 0),
    'name_to_handle_at': sys_(303, -100, b'/tmp', None, None, 0),
    'kexec_load': sys_(246, 0, 0, None, 0),
    'syslog size': sys_(103, 10, None, 0),
    'personality linux': sys_(135, 0),
}
os.kill(child, 9)
os.waitpid(child, 0)
print(json.dumps(out))
""")
    out = last_json(result)
    for name, outcome in out.items():
        if name == "personality linux":
            assert outcome == "ok", out  # the ordinary execution domain stays available
        elif name == "clone3":
            assert outcome == "ENOSYS", out  # so libc falls back to clone(), whose flags the filter checks
        else:
            assert outcome == "EPERM", (name, out)


async def test_only_unix_inet_and_route_netlink_sockets(sandbox: Sandbox, workspace: Path) -> None:
    result = await run_py(sandbox, workspace, SYSCALL + """
import socket
out = {}
for name, family, kind, proto in (
        ('netlink generic', 16, socket.SOCK_RAW, 16), ('netlink netfilter', 16, socket.SOCK_RAW, 12),
        ('netlink uevent', 16, socket.SOCK_DGRAM, 15), ('netlink sock_diag', 16, socket.SOCK_RAW, 4),
        ('packet', 17, socket.SOCK_RAW, 0), ('vsock', 40, socket.SOCK_STREAM, 0),
        ('bluetooth', 31, socket.SOCK_RAW, 0), ('alg', 38, socket.SOCK_SEQPACKET, 0),
        ('key', 15, socket.SOCK_RAW, 2), ('tipc', 30, socket.SOCK_RDM, 0), ('rds', 21, socket.SOCK_SEQPACKET, 0),
        ('xdp', 44, socket.SOCK_RAW, 0), ('family 45', 45, socket.SOCK_RAW, 0), ('family 200', 200, 1, 0),
        ('netlink route', 16, socket.SOCK_RAW, 0)):
    out[name] = sys_(41, family, kind | socket.SOCK_CLOEXEC, proto)
out['packet, upper bits set'] = sys_(41, (1 << 32) | 17, socket.SOCK_RAW, 0)
out['socketpair netlink'] = sys_(53, 16, socket.SOCK_RAW, 16, ctypes.create_string_buffer(8))
# what programs need still works
a, b = socket.socketpair()
a.sendall(b'unix'); out['unix'] = b.recv(4).decode()
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(('127.0.0.1', 0)); server.listen()
client = socket.create_connection(server.getsockname()); conn, _ = server.accept()
client.sendall(b'inet'); out['inet'] = conn.recv(4).decode()
socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close(); out['inet6'] = 'ok'
out['interfaces'] = [name for _, name in socket.if_nameindex()]
print(json.dumps(out))
""")
    out = last_json(result)
    for name in ("netlink generic", "netlink netfilter", "netlink uevent", "netlink sock_diag", "socketpair netlink"):
        assert out[name] == "EPROTONOSUPPORT", (name, out)
    for name in ("packet", "vsock", "bluetooth", "alg", "key", "tipc", "rds", "xdp", "family 45", "family 200",
                 "packet, upper bits set"):
        assert out[name] == "EAFNOSUPPORT", (name, out)
    assert out["netlink route"] == "ok" and out["interfaces"] == ["lo"], out
    assert (out["unix"], out["inet"], out["inet6"]) == ("unix", "inet", "ok"), out


def _host_outcome(code: str) -> int:
    """The return code of ``code`` run by this Python on the host, unfiltered (negative: killed by a signal)."""
    return subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, timeout=30, check=False).returncode


# i386 getpid through `int 0x80` (mov eax, 20; int 0x80; ret), from machine code in an executable page
INT80 = """
import ctypes, mmap
page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
page.write(bytes([0xb8, 20, 0, 0, 0, 0xcd, 0x80, 0xc3]))
print(ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))())
"""
# x32 getpid: the x32 bit on x86-64's getpid (ENOSYS where the kernel has no x32 ABI)
X32 = "import ctypes; libc = ctypes.CDLL(None); libc.syscall.restype = ctypes.c_long; " \
      "print(libc.syscall(ctypes.c_long(0x40000000 | 39)))"


@pytest.mark.skipif(not X86_64, reason="the other system-call ABIs tried here are x86's")
async def test_other_syscall_abis_kill_the_process(sandbox: Sandbox, workspace: Path) -> None:
    # A 32-bit or x32 system call would bypass every rule written for x86-64's numbers: the filter kills instead.
    result = await run_py(sandbox, workspace, f"""
        import json, subprocess, sys
        out = {{}}
        for name, code in (('int 0x80', {INT80!r}), ('x32', {X32!r})):
            out[name] = subprocess.run([sys.executable, '-I', '-c', code], capture_output=True).returncode
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["x32"] == -signal.SIGSYS, out
    if _host_outcome(INT80) == 0:  # the host kernel runs 32-bit system calls (IA32 emulation)
        assert out["int 0x80"] == -signal.SIGSYS, out


async def test_ordinary_python_works_under_the_filter(workspace: Path) -> None:
    # this interpreter's environment (numpy, if installed) mounted read-only, as `sandbox_python` would
    box = create_sandbox(limits=LIMITS, python=sys.executable)
    result = await run_py(box, workspace, """
        import asyncio, json, multiprocessing, os, sqlite3, subprocess, tempfile, threading
        out = {'seccomp': dict(l.split(':\\t') for l in open('/proc/self/status').read().splitlines()
                               if ':\\t' in l).get('Seccomp')}
        out['subprocess'] = subprocess.run(['sh', '-c', 'echo hi | tr a-z A-Z'], capture_output=True,
                                           text=True).stdout.strip()
        box = []
        threads = [threading.Thread(target=box.append, args=(i,)) for i in range(8)]
        [t.start() for t in threads]; [t.join() for t in threads]
        out['threads'] = len(box)
        if __name__ == '__main__':
            for method in ('fork', 'spawn'):
                with multiprocessing.get_context(method).Pool(2) as pool:
                    out[method] = sum(pool.map(abs, range(-10, 0)))
        out['asyncio'] = asyncio.run(asyncio.sleep(0, result='ok'))
        with tempfile.TemporaryDirectory() as tmp:
            db = sqlite3.connect(os.path.join(tmp, 'x.db'))
            db.execute('create table t (x)'); db.execute('insert into t values (1)'); db.commit()
            out['sqlite'] = db.execute('select count(*) from t').fetchone()[0]
        os.makedirs('pkg/sub', exist_ok=True)
        with open('pkg/run.sh', 'w') as f:
            f.write('#!/bin/sh\\necho script\\n')
        os.chmod('pkg/run.sh', 0o755)
        out['script'] = subprocess.run(['./pkg/run.sh'], capture_output=True, text=True).stdout.strip()
        try:
            import numpy
            out['numpy'] = int(numpy.arange(10).sum())
        except ImportError:
            out['numpy'] = 'not installed'
        print(json.dumps(out))
    """)
    out = last_json(result)
    assert out["seccomp"] == "2", out  # the filter is on (2: filter mode)...
    assert out["subprocess"] == "HI" and out["threads"] == 8 and out["asyncio"] == "ok", out  # ...and all works
    assert out["fork"] == out["spawn"] == 55 and out["sqlite"] == 1 and out["script"] == "script", out
    assert out["numpy"] in (45, "not installed"), out


# --- failing closed without libseccomp --------------------------------------------------------------------------


def test_without_libseccomp_the_sandbox_fails_closed_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    from autogpt.sandbox import seccomp

    reason = "libseccomp could not be loaded (test)"
    monkeypatch.setattr(seccomp, "unavailable_reason", lambda: reason)
    with pytest.raises(SandboxUnavailableError) as refused:
        create_sandbox(limits=LIMITS)
    assert "libseccomp" in str(refused.value) and "allow_weak" in str(refused.value)
    # allow_weak: bubblewrap without the filter, reported as such
    box = create_sandbox("allow_weak", limits=LIMITS)
    assert isinstance(box, BubblewrapSandbox) and not box.require_seccomp
    layer = next(layer for layer in box.layers() if "seccomp" in layer.name)
    assert not layer.active and "NOT ACTIVE" in layer.protects and reason in layer.protects
    # and with libseccomp there, the layer is reported active
    monkeypatch.undo()
    layer = next(layer for layer in create_sandbox(limits=LIMITS).layers() if "seccomp" in layer.name)
    assert layer.active and "keyring" in layer.protects


async def test_a_sandbox_that_needs_the_filter_refuses_to_run_without_it(
    sandbox: Sandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from autogpt.sandbox import seccomp

    def missing() -> int:
        raise seccomp.SeccompUnavailableError("libseccomp is missing (test)")

    monkeypatch.setattr(seccomp, "program_fd", missing)
    with pytest.raises(SandboxUnavailableError, match="libseccomp"):
        await run_py(sandbox, workspace, "open('ran', 'w').close()")
    assert not (workspace / "ran").exists()


# --- the workspace quota ----------------------------------------------------------------------------------------


async def test_bytes_over_the_quota_stop_the_command(sandbox: Sandbox, workspace: Path) -> None:
    limits = quota_limits(workspace_mb=8)
    started = time.monotonic()
    # Up to 300 MB in 4 MB files (each file is under RLIMIT_FSIZE), about 100 MB/s
    result = await run_py(sandbox, workspace, """
        import os, time
        chunk = os.urandom(1024 * 1024)
        for i in range(300):
            with open(f'big{i // 4}', 'ab') as f:
                f.write(chunk)
            time.sleep(0.01)
        print('wrote everything')
    """, limits=limits)
    assert "wrote everything" not in result.stdout, result
    assert result.killed is not None and "workspace quota (8388608 bytes / 100000 files) was exceeded" in result.killed
    text = format_result(result, limits.timeout)
    assert "delete files" in text
    used, _ = disk_usage(workspace)
    # the quota, plus what it could write between two measurements (bounded here by its pace)
    assert used <= 8 * MB + 64 * MB, used
    assert time.monotonic() - started < limits.timeout


async def test_files_over_the_quota_stop_the_command(sandbox: Sandbox, workspace: Path) -> None:
    limits = quota_limits(workspace_files=300)
    result = await run_py(sandbox, workspace, """
        import os, time
        os.mkdir('many')
        for i in range(20000):
            open(f'many/{i}', 'w').close()
            if i % 10 == 0:
                time.sleep(0.005)
        print('made everything')
    """, limits=limits)
    assert "made everything" not in result.stdout, result
    assert result.killed is not None and "(1073741824 bytes / 300 files) was exceeded" in result.killed, result
    _, entries = disk_usage(workspace)
    assert 300 < entries <= 300 + 2000, entries


async def test_deleted_files_still_open_count_against_the_quota(sandbox: Sandbox, workspace: Path) -> None:
    # Space held by deleted-but-open files is invisible in the folder, not on the disk.
    limits = quota_limits(workspace_mb=8)
    started = time.monotonic()
    result = await run_py(sandbox, workspace, """
        import os, time
        held = []
        for i in range(3):  # 3 x 4 MB through descriptors of deleted files
            f = open(f'hidden{i}', 'wb+')
            os.unlink(f'hidden{i}')
            f.write(os.urandom(4 * 1024 * 1024)); f.flush()
            held.append(f)
        print('holding', flush=True)
        time.sleep(15)
        print('survived')
    """, limits=limits)
    assert "holding" in result.stdout and "survived" not in result.stdout, result
    assert result.killed is not None and "workspace quota" in result.killed, result
    assert time.monotonic() - started < 12
    assert list(workspace.iterdir()) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="reading another process's /proc/PID/map_files needs root")
async def test_deleted_files_still_mapped_count_against_the_quota(sandbox: Sandbox, workspace: Path) -> None:
    limits = quota_limits(workspace_mb=8)
    result = await run_py(sandbox, workspace, """
        import ctypes, mmap, os, time
        held = []
        for i in range(2):  # 2 x 4 MB through descriptors of deleted files: exactly the quota, not over it
            f = open(f'hidden{i}', 'wb+')
            os.unlink(f'hidden{i}')
            f.write(os.urandom(4 * 1024 * 1024)); f.flush()
            held.append(f)
        # and 4 MB more only mapped (libc's mmap: Python's keeps a descriptor): the mapping keeps the deleted file
        libc = ctypes.CDLL(None, use_errno=True)
        libc.mmap.restype = ctypes.c_void_p
        libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
        fd = os.open('mapped', os.O_CREAT | os.O_RDWR, 0o600)
        os.ftruncate(fd, 4 * 1024 * 1024)
        address = libc.mmap(None, 4 * 1024 * 1024, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
        assert address not in (None, ctypes.c_void_p(-1).value)
        os.close(fd); os.unlink('mapped')
        ctypes.memmove(address, os.urandom(4 * 1024 * 1024), 4 * 1024 * 1024)
        print('holding', flush=True)
        time.sleep(15)
        print('survived')
    """, limits=limits)
    assert "holding" in result.stdout and "survived" not in result.stdout, result
    assert result.killed is not None and "workspace quota" in result.killed, result


async def test_a_workspace_over_its_quota_starts_nothing(sandbox: Sandbox, workspace: Path) -> None:
    (workspace / "old-data").write_bytes(b"\0" * (3 * MB))
    limits = quota_limits(workspace_mb=2)
    result = await run_py(sandbox, workspace, "open('ran', 'w').close()", limits=limits)
    assert not (workspace / "ran").exists()
    assert result.killed is not None and "not started" in result.killed and "delete files" in result.killed
    # deleting enough makes room again
    (workspace / "old-data").unlink()
    result = await run_py(sandbox, workspace, "open('ran', 'w').close()", limits=limits)
    assert result.ok and (workspace / "ran").exists(), result


async def test_files_hidden_deeper_than_the_host_can_name_stop_the_command(sandbox: Sandbox, workspace: Path) -> None:
    # Folders nested (with chdir) beyond the longest path the host can name: what cannot be counted is not let through
    limits = quota_limits(workspace_mb=4)
    result = await run_py(sandbox, workspace, """
        import os, time
        for _ in range(30):  # 30 x 201 characters: past PATH_MAX (4096) on the host
            os.mkdir('d' * 200)
            os.chdir('d' * 200)
        for i in range(2):
            with open(f'hidden{i}', 'wb') as f:
                f.write(os.urandom(3 * 1024 * 1024))
        print('hidden', flush=True)
        time.sleep(15)
        print('survived')
    """, limits=limits)
    assert "hidden" in result.stdout and "survived" not in result.stdout, result
    assert result.killed is not None and "cannot be checked" in result.killed, result
    assert "delete that folder" in result.killed
    # and nothing more starts until it is gone
    result = await run_py(sandbox, workspace, "open('ran', 'w').close()", limits=limits)
    assert result.killed is not None and "not started" in result.killed and not (workspace / "ran").exists()
    shutil.rmtree(workspace / ("d" * 200))  # removes by descriptors, at any depth
    result = await run_py(sandbox, workspace, "open('ran', 'w').close()", limits=limits)
    assert result.ok, result


def test_quota_counts_sparse_files_in_full_and_hard_links_once(tmp_path: Path) -> None:
    from autogpt.sandbox.limits import WorkspaceQuota

    with open(tmp_path / "sparse", "wb") as f:
        f.truncate(5 * MB)  # no blocks, 5 MB when read or copied
    (tmp_path / "data").write_bytes(b"x" * MB)
    for i in range(3):
        os.link(tmp_path / "data", tmp_path / f"link{i}")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "symlink").symlink_to("/usr")
    usage = WorkspaceQuota(tmp_path, 100 * MB, 100).measure()
    assert usage.files == 7 and usage.complete and usage.problem is None
    assert 6 * MB <= usage.bytes < 6 * MB + 64 * 1024, usage  # sparse in full, the linked MB once, folder blocks
    over = WorkspaceQuota(tmp_path, 4 * MB, 100)
    assert over.over(over.measure())
