"""The sandbox's behaviour: results, stdin, limits and their reporting, the code tools (execute_python,
execute_python_file, execute_shell), choosing a sandbox (create_sandbox), the weak fallback, layers() and the
bubblewrap command line. The attacks are in test_sandbox_attacks.py.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import select
import shutil
import signal
import socket
import stat
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from autogpt.config import Settings
from autogpt.errors import SandboxUnavailableError, ToolError, WorkspacePathError
from autogpt.sandbox import INSTALL_HINT, Limits, Sandbox, SandboxResult, create_sandbox
from autogpt.sandbox import base as sandbox_base
from autogpt.sandbox.bubblewrap import BubblewrapSandbox, bubblewrap_works, strip_setid_bits
from autogpt.sandbox.limits import Cgroup, run_limited
from autogpt.sandbox.weak import WeakSandbox
from autogpt.tools.code import execute_python, execute_python_file, execute_shell, format_result
from autogpt.tools.registry import Tool, ToolContext
from autogpt.workspace import Workspace

HAVE_BWRAP = bool(shutil.which("bwrap")) and bubblewrap_works()
needs_bwrap = pytest.mark.skipif(not HAVE_BWRAP, reason="bubblewrap is not usable on this machine")
LIMITS = Limits(timeout=3, cpu_seconds=20, memory_mb=256, output_bytes=100_000, file_size_mb=5, tmp_mb=16,
                processes=32)


# --- fixtures and helpers ---------------------------------------------------------------------------------------


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws.resolve()


@pytest.fixture
def sandbox() -> Sandbox:
    if not HAVE_BWRAP:
        pytest.skip("bubblewrap is not usable on this machine")
    box = create_sandbox(limits=LIMITS)
    assert isinstance(box, BubblewrapSandbox)
    return box


@pytest.fixture
def weak() -> WeakSandbox:
    return WeakSandbox(limits=LIMITS)


@pytest.fixture
def created_cgroups(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every cgroup folder the code under test creates."""
    made: list[Path] = []
    original = Cgroup.create.__func__  # type: ignore[attr-defined]

    def create(cls: type[Cgroup], limits: Limits) -> Cgroup | None:
        cgroup = original(cls, limits)
        if cgroup is not None:
            made.extend(cgroup.paths)
        return cgroup

    monkeypatch.setattr(Cgroup, "create", classmethod(create))
    return made


def ctx_for(workspace: Path, sandbox: Sandbox | None, sandbox_error: str = "", **settings: object) -> ToolContext:
    return ToolContext(workspace=Workspace(workspace), sandbox=sandbox, sandbox_error=sandbox_error,
                       settings=Settings.load(**settings))


async def py(box: Sandbox, workspace: Path, code: str, *args: str, stdin: bytes | None = None,
             limits: Limits | None = None) -> SandboxResult:
    lim = limits or box.limits
    argv = [box.python, "-I", "-c", textwrap.dedent(code), *args]
    return await asyncio.wait_for(box.run(argv, workspace, stdin=stdin, limits=lim), lim.timeout + 30)


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if marker.encode() in Path(entry.path, "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def wait_no_processes(marker: str, seconds: float = 2.0) -> list[int]:
    deadline = time.monotonic() + seconds
    while (left := processes_with(marker)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


class TcpRecorder:
    """A TCP server on the host's 127.0.0.1 that records every connection."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections: list[object] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            if select.select([self.sock], [], [], 0.05)[0]:
                conn, addr = self.sock.accept()
                self.connections.append(addr)
                conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def tcp_server() -> Iterator[TcpRecorder]:
    server = TcpRecorder()
    yield server
    server.close()


# --- results ------------------------------------------------------------------------------------------------------


@needs_bwrap
async def test_exit_codes_and_separate_streams(sandbox: Sandbox, workspace: Path) -> None:
    ok = await py(sandbox, workspace, "import sys; print('out'); print('err', file=sys.stderr)")
    assert ok.ok and ok.exit_code == 0 and ok.killed is None and ok.signal is None
    assert ok.stdout == "out\n" and ok.stderr == "err\n"
    assert 0 < ok.seconds < LIMITS.timeout
    three = await py(sandbox, workspace, "import sys; sys.exit(3)")
    assert three.exit_code == 3 and not three.ok and three.signal is None
    message = await py(sandbox, workspace, "import sys; sys.exit('bad input')")
    assert message.exit_code == 1 and message.stderr == "bad input\n"
    crash = await py(sandbox, workspace, "raise ValueError('boom')")
    assert crash.exit_code == 1 and "ValueError: boom" in crash.stderr


@needs_bwrap
async def test_killed_by_a_signal_is_reported_as_a_signal(sandbox: Sandbox, workspace: Path) -> None:
    result = await py(sandbox, workspace, "import os, signal; os.kill(os.getpid(), signal.SIGTERM)")
    assert result.exit_code is None and result.signal == signal.SIGTERM and result.killed is None
    assert "killed by signal 15" in format_result(result, LIMITS.timeout)


@needs_bwrap
async def test_unicode_and_undecodable_output(sandbox: Sandbox, workspace: Path) -> None:
    result = await py(sandbox, workspace, """
        import sys
        print('héllo ✓ 日本語 🙂')
        print('ошибка ✗', file=sys.stderr)
        sys.stdout.flush()
        sys.stdout.buffer.write(b'bad \\xff\\xfe bytes\\n')
    """)
    assert result.ok, result
    assert result.stdout.splitlines()[0] == "héllo ✓ 日本語 🙂"
    assert result.stdout.splitlines()[1] == "bad \ufffd\ufffd bytes"
    assert result.stderr == "ошибка ✗\n"


@needs_bwrap
async def test_stdin_is_passed_and_defaults_to_empty(sandbox: Sandbox, workspace: Path) -> None:
    data = "line one\nzwei ✓\n".encode()
    result = await py(sandbox, workspace, "import sys; d = sys.stdin.read(); print(len(d), d.upper(), end='')",
                      stdin=data)
    assert result.ok and result.stdout == f"{len(data.decode())} LINE ONE\nZWEI ✓\n"
    empty = await py(sandbox, workspace, "import sys; print(repr(sys.stdin.read()))")
    assert empty.ok and empty.stdout == "''\n"  # no stdin: end of file at once, never a hang
    big = b"x" * 3_000_000  # more than a pipe holds
    result = await py(sandbox, workspace, "import sys; print(len(sys.stdin.buffer.read()))", stdin=big)
    assert result.stdout == "3000000\n"


@needs_bwrap
async def test_timeout_is_reported(sandbox: Sandbox, workspace: Path) -> None:
    result = await py(sandbox, workspace, "import time; print('started', flush=True); time.sleep(60)",
                      limits=Limits(timeout=1.5))
    assert result.killed == "timeout" and result.exit_code is None and not result.ok
    assert result.stdout == "started\n"  # what it printed before is kept
    assert 1.4 < result.seconds < 4
    assert format_result(result, 1.5).startswith("The command was stopped after 1.5 seconds (time limit).")


@needs_bwrap
async def test_output_limit_is_reported(sandbox: Sandbox, workspace: Path) -> None:
    result = await py(sandbox, workspace, "import sys\nfor _ in range(10**6): sys.stdout.write('y' * 100)",
                      limits=Limits(timeout=10, output_bytes=5000))
    assert result.killed == "output limit" and result.exit_code is None
    assert result.stdout == "y" * 5000
    assert "stopped: output limit" in format_result(result, 10)


@needs_bwrap
async def test_per_call_limits_override_and_parallel_runs(sandbox: Sandbox, workspace: Path) -> None:
    started = time.monotonic()
    results = await asyncio.gather(*(py(sandbox, workspace, f"import time; time.sleep(0.5); print({i})")
                                     for i in range(4)))
    assert [r.stdout for r in results] == ["0\n", "1\n", "2\n", "3\n"]
    assert time.monotonic() - started < 2.5  # they really ran side by side
    result = await py(sandbox, workspace, "import resource; print(resource.getrlimit(resource.RLIMIT_FSIZE)[0])",
                      limits=Limits(file_size_mb=2))
    assert result.stdout == f"{2 * 1024 * 1024}\n"


@needs_bwrap
async def test_cgroups_are_removed_after_every_run(sandbox: Sandbox, workspace: Path,
                                                   created_cgroups: list[Path]) -> None:
    await py(sandbox, workspace, "print('hi')")
    await py(sandbox, workspace, "import time; time.sleep(30)", limits=Limits(timeout=1))
    if os.geteuid() == 0 and Path("/sys/fs/cgroup").is_dir():
        assert created_cgroups, "running as root, a cgroup should have been used"
    assert [p for p in created_cgroups if p.exists()] == []


async def test_cgroup_is_removed_when_the_program_cannot_start(workspace: Path, created_cgroups: list[Path]) -> None:
    with pytest.raises(FileNotFoundError):
        await run_limited([f"/nonexistent/{uuid.uuid4().hex}"], cwd=workspace, env={}, stdin=None, limits=LIMITS)
    assert [p for p in created_cgroups if p.exists()] == []


@needs_bwrap
async def test_page_cache_is_not_mistaken_for_an_out_of_memory_kill(sandbox: Sandbox, workspace: Path) -> None:
    # Writing more file data than the memory limit makes the kernel reclaim page cache (memory.failcnt goes up in
    # cgroup v1) but kills nothing: the command succeeded.
    result = await py(sandbox, workspace, """
        for i in range(24):
            with open(f'f{i}', 'wb') as fh:
                fh.write(b'x' * (4 * 1024 * 1024))
        print('done')
    """, limits=Limits(timeout=20, memory_mb=64, file_size_mb=8))
    assert result.ok and result.killed is None and result.stdout == "done\n", result


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="the memory cgroup needs root here")
async def test_memory_limit_kill_is_reported(sandbox: Sandbox, workspace: Path) -> None:
    # tmpfs pages are not address space (so RLIMIT_AS does not stop them) but they are charged to the cgroup.
    result = await py(sandbox, workspace, """
        with open('/tmp/fill', 'wb') as fh:
            for _ in range(300):
                fh.write(b'x' * (1024 * 1024))
        print('wrote 300 MB')
    """, limits=Limits(timeout=20, memory_mb=64, tmp_mb=512, file_size_mb=512))
    if result.killed is None and "No space left" in result.stderr:
        pytest.skip("no memory cgroup available")
    assert result.killed == "memory limit" and result.exit_code is None, result
    assert "stopped: memory limit" in format_result(result, 20)


def test_strip_setid_bits_only_touches_our_files_and_follows_no_links(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    (ws / "sub").mkdir(parents=True)
    ours = ws / "sub" / "ours"
    ours.write_text("x")
    ours.chmod(0o6755)
    (ws / "sub").chmod(0o2775)
    outside = tmp_path / "outside"
    outside.write_text("x")
    outside.chmod(0o4755)
    (ws / "link").symlink_to(outside)
    cleared = strip_setid_bits(ws)
    assert stat.S_IMODE(ours.stat().st_mode) == 0o755
    assert stat.S_IMODE((ws / "sub").stat().st_mode) == 0o775
    assert stat.S_IMODE(outside.stat().st_mode) == 0o4755  # not followed
    assert sorted(cleared) == sorted([ours, ws / "sub"])
    if os.geteuid() == 0:
        theirs = ws / "theirs"
        theirs.write_text("x")
        os.chown(theirs, 65534, 65534)
        theirs.chmod(0o4755)
        strip_setid_bits(ws)
        assert stat.S_IMODE(theirs.stat().st_mode) == 0o4755  # the command could not have set that one


# --- the tools ------------------------------------------------------------------------------------------------------


@needs_bwrap
async def test_execute_python_tool(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ctx_for(workspace, sandbox)
    tool = Tool(execute_python)
    out = await tool.call({"code": "open('made.txt', 'w').write('hi')\nprint(sum(range(10)))"}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\n45\n--- files it wrote ---\nmade.txt:\nhi"
    assert (workspace / "made.txt").read_text() == "hi"
    with pytest.raises(ToolError) as failed:  # a failed program is a failed step, its output kept whole
        await tool.call({"code": "import sys\nprint('partial')\nsys.exit('it failed')"}, ctx)
    out = str(failed.value)
    assert out.startswith("Exit code: 1") and "partial" in out and "--- stderr ---\nit failed" in out
    assert "Note:" not in out
    out = await tool.call({"code": "pass"}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\n(empty)"
    with pytest.raises(ToolError, match="empty"):
        await tool.call({"code": "   \n"}, ctx)


@needs_bwrap
async def test_execute_python_tool_reports_the_timeout(workspace: Path) -> None:
    box = create_sandbox(limits=Limits(timeout=1))
    with pytest.raises(ToolError, match=r"^The command was stopped after 1 seconds \(time limit\)\."):
        await Tool(execute_python).call({"code": "import time; time.sleep(30)"}, ctx_for(workspace, box))


@needs_bwrap
async def test_execute_python_file_tool(sandbox: Sandbox, workspace: Path, tmp_path: Path) -> None:
    ctx = ctx_for(workspace, sandbox)
    tool = Tool(execute_python_file)
    (workspace / "pkg").mkdir()
    (workspace / "pkg" / "main.py").write_text("import sys\nprint(__file__, sys.argv[1:])\n")
    out = await tool.call({"path": "pkg/main.py", "args": ["a b", "--flag", "ü"]}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\n/workspace/pkg/main.py ['a b', '--flag', 'ü']"
    out = await tool.call({"path": "pkg/main.py"}, ctx)
    assert out.endswith("/workspace/pkg/main.py []")
    (tmp_path / "outside.py").write_text("print('outside')")
    for bad in ("../outside.py", str(tmp_path / "outside.py"), "/etc/passwd"):
        with pytest.raises(WorkspacePathError):
            await tool.call({"path": bad}, ctx)
    (workspace / "link.py").symlink_to(tmp_path / "outside.py")
    with pytest.raises(WorkspacePathError, match="outside"):
        await tool.call({"path": "link.py"}, ctx)
    (workspace / "notes.txt").write_text("print('not python')")
    with pytest.raises(ToolError, match=r"not a \.py file"):
        await tool.call({"path": "notes.txt"}, ctx)
    with pytest.raises(ToolError, match="does not exist"):
        await tool.call({"path": "missing.py"}, ctx)
    with pytest.raises(ToolError, match="does not exist"):
        await tool.call({"path": "pkg"}, ctx)
    # Slugify and ParseDuration, run 18: a test that was never written, its code given as args: nothing is run
    (workspace / "slug.py").write_text("def slug(text):\n    open('ran.txt', 'w').write('ran')\n    return text.lower()\n")
    test = "from slug import slug\nassert slug('Hi') == 'hi'\nprint('ok')"
    with pytest.raises(ToolError, match="'test_slug.py' does not exist in the workspace. To run code, pass it to "
                                        "execute_python instead."):
        await tool.call({"path": "test_slug.py", "args": [test]}, ctx)
    assert not (workspace / "test_slug.py").exists()
    # The module itself run with its test as args: the test is what was meant, and it runs (importing the module);
    # the module is not run as a script with a program for its arguments
    out = await tool.call({"path": "slug.py", "args": [test, "question"]}, ctx)
    assert "not code" in out and "slug.py itself was not run" in out
    assert "--- stdout ---\nok" in out and (workspace / "ran.txt").exists()
    # ... and a failing one fails as execute_python's would, with the same note
    with pytest.raises(ToolError, match=r"(?s)not code.*AssertionError"):
        await tool.call({"path": "slug.py", "args": ["from slug import slug\nassert slug('Hi') == 'x'"]}, ctx)


@needs_bwrap
async def test_execute_shell_allow_list(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ctx_for(workspace, sandbox, shell_enabled=True)
    tool = Tool(execute_shell)
    (workspace / "data.csv").write_text("a\nb\nc\n")
    out = await tool.call({"command": "wc -l data.csv"}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\n3 data.csv"
    out = await tool.call({"command": "ls"}, ctx)
    assert "data.csv" in out
    for refused in ("rm data.csv", "curl http://127.0.0.1/", "/usr/bin/rm -f data.csv", "bash -c ls", "touch x"):
        with pytest.raises(ToolError, match="not an allowed command"):
            await tool.call({"command": refused}, ctx)
    assert (workspace / "data.csv").exists() and not (workspace / "x").exists()


@needs_bwrap
async def test_execute_shell_deny_list_when_allow_list_is_empty(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ctx_for(workspace, sandbox, shell_enabled=True, shell_allow=[])
    tool = Tool(execute_shell)
    out = await tool.call({"command": "touch made-by-touch"}, ctx)
    assert out.startswith("Exit code: 0") and (workspace / "made-by-touch").exists()
    for refused in ("rm made-by-touch", "sudo id", "/bin/rm -rf .", "curl example.com", "kill 1"):
        with pytest.raises(ToolError, match="is not allowed"):
            await tool.call({"command": refused}, ctx)
    assert (workspace / "made-by-touch").exists()


@needs_bwrap
async def test_execute_shell_refuses_shell_syntax(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ctx_for(workspace, sandbox, shell_enabled=True)
    tool = Tool(execute_shell)
    for command in ("ls ; rm -rf .", "ls | wc", "ls && rm x", "cat $(id)", "cat `id`", "ls > out.txt",
                    "cat < /etc/passwd", "ls &", "wc ${HOME}", "python -c print(1)"):
        with pytest.raises(ToolError, match="Shell syntax"):
            await tool.call({"command": command}, ctx)
    with pytest.raises(ToolError, match="not an allowed command"):  # 'ls;' is not a program on the list
        await tool.call({"command": "ls; rm -rf ."}, ctx)
    assert not (workspace / "out.txt").exists()
    # echo may print those characters: nothing interprets them without a shell
    out = await tool.call({"command": "echo 'a; b | c' $(id) `x`"}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\na; b | c $(id) `x`"
    for bad in ("", "   "):
        with pytest.raises(ToolError, match="empty"):
            await tool.call({"command": bad}, ctx)
    with pytest.raises(ToolError, match="Cannot parse"):
        await tool.call({"command": "echo 'unterminated"}, ctx)


@needs_bwrap
async def test_execute_shell_python_and_quoted_args(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ctx_for(workspace, sandbox, shell_enabled=True)
    tool = Tool(execute_shell)
    # Python code itself has parentheses, so programs are run from files
    (workspace / "show.py").write_text("import sys\nprint(sys.executable, sys.flags.ignore_environment, "
                                       "sys.flags.no_user_site, sys.argv[1:])\n")
    for python in ("python", "python3"):  # no PYTHON* variables, no user site-packages
        out = await tool.call({"command": f"{python} show.py 'a b' c \"d 'e'\""}, ctx)
        assert out == f"Exit code: 0\n--- stdout ---\n{sandbox.python} 1 1 ['a b', 'c', \"d 'e'\"]"
    out = await tool.call({"command": "echo \"hello   world\" 'x'"}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\nhello   world x"
    out = await tool.call({"command": "pwd"}, ctx)
    assert out == "Exit code: 0\n--- stdout ---\n/workspace"


async def test_tools_without_a_sandbox_raise_its_error(workspace: Path) -> None:
    (workspace / "x.py").write_text("print(1)")
    why = "Code cannot run: bubblewrap is missing (sudo apt-get install bubblewrap)."
    ctx = ctx_for(workspace, None, sandbox_error=why, shell_enabled=True)
    for tool, args in ((execute_python, {"code": "print(1)"}), (execute_python_file, {"path": "x.py"}),
                       (execute_shell, {"command": "ls"})):
        with pytest.raises(ToolError) as info:
            await Tool(tool).call(args, ctx)
        assert str(info.value) == why
    with pytest.raises(ToolError, match="No sandbox"):
        await Tool(execute_python).call({"code": "print(1)"}, ctx_for(workspace, None))


# --- choosing a sandbox -------------------------------------------------------------------------------------------------


def test_create_sandbox_without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sandbox_base.shutil, "which", lambda name, *a, **k: None)
    with pytest.raises(SandboxUnavailableError) as info:
        create_sandbox()
    message = str(info.value)
    assert message == INSTALL_HINT
    assert "apt-get install bubblewrap" in message and "dnf install bubblewrap" in message
    assert "allow_weak" in message
    with pytest.raises(SandboxUnavailableError):
        create_sandbox("strict")
    box = create_sandbox("allow_weak", limits=LIMITS, read_only_paths=[Path("/opt")], python="/usr/bin/python3")
    assert isinstance(box, WeakSandbox)
    assert box.limits == LIMITS and box.read_only_paths == [Path("/opt")] and box.python == "/usr/bin/python3"


@needs_bwrap
def test_create_sandbox_prefers_bubblewrap_even_when_weak_is_allowed() -> None:
    assert isinstance(create_sandbox(), BubblewrapSandbox)
    assert isinstance(create_sandbox("allow_weak"), BubblewrapSandbox)
    box = create_sandbox(limits=LIMITS)
    assert box.limits == LIMITS
    assert box.python == sandbox_base.base_python() and os.path.exists(box.python)


# --- the weak fallback ------------------------------------------------------------------------------------------------


weak_net = pytest.mark.skipif(not shutil.which("unshare"), reason="unshare is not installed")


@weak_net
async def test_weak_sandbox_blocks_the_network(weak: WeakSandbox, workspace: Path, tcp_server: TcpRecorder) -> None:
    result = await py(weak, workspace, """
        import socket, sys
        names = [n for _, n in socket.if_nameindex()]
        try:
            socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2).close()
            print(names, 'connected')
        except OSError as exc:
            print(names, 'refused', type(exc).__name__)
    """, str(tcp_server.port))
    if "unshare failed" in result.stderr:
        pytest.skip(f"no network namespace here: {result.stderr.strip()}")
    assert "refused" in result.stdout and "connected" not in result.stdout, result
    assert "['lo']" in result.stdout
    time.sleep(0.2)
    assert tcp_server.connections == []


async def test_weak_sandbox_runs_in_the_workspace_with_an_empty_environment(
    weak: WeakSandbox, workspace: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-weak")
    result = await py(weak, workspace, "import os; open('here.txt', 'w').write('x'); print(os.getcwd()); "
                                       "print(sorted(os.environ))")
    assert result.ok, result
    lines = result.stdout.splitlines()
    assert lines[0] == str(workspace) and (workspace / "here.txt").exists()
    assert "OPENAI_API_KEY" not in lines[1] and "sk-test-secret" not in result.stdout
    assert weak.workspace_path == "."


async def test_weak_sandbox_timeout_kills_leftover_processes(weak: WeakSandbox, workspace: Path) -> None:
    marker = f"autogpt-weak-{uuid.uuid4().hex}"
    result = await py(weak, workspace, """
        import subprocess, sys, time
        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', sys.argv[1]],
                         start_new_session=True, stdin=subprocess.DEVNULL)
        time.sleep(60)
    """, marker)
    assert result.killed == "timeout" and result.exit_code is None
    assert result.seconds < LIMITS.timeout + 3
    if os.geteuid() == 0:  # the cgroup catches the process that left the session
        assert wait_no_processes(marker) == []
    else:  # pragma: no cover - clean up what a weak sandbox without a cgroup cannot
        for pid in processes_with(marker):
            os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(os.geteuid() != 0, reason="only the cgroup (root) catches processes outside the session")
async def test_weak_sandbox_kills_daemons_after_a_normal_exit(weak: WeakSandbox, workspace: Path) -> None:
    marker = f"autogpt-weak-{uuid.uuid4().hex}"
    result = await py(weak, workspace, """
        import subprocess, sys
        subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(1000)', sys.argv[1]],
                         start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
        print('bye')
    """, marker)
    assert result.ok and result.stdout == "bye\n"
    assert wait_no_processes(marker) == []


async def test_weak_sandbox_applies_the_limits(weak: WeakSandbox, workspace: Path) -> None:
    result = await py(weak, workspace, """
        import resource
        print(resource.getrlimit(resource.RLIMIT_AS)[0], resource.getrlimit(resource.RLIMIT_FSIZE)[0])
        bytearray(1024 ** 3)
    """)
    assert result.stdout == f"{LIMITS.memory_mb * 1024 * 1024} {LIMITS.file_size_mb * 1024 * 1024}\n"
    assert "MemoryError" in result.stderr and result.exit_code == 1


# --- layers() and the command line ----------------------------------------------------------------------------------------


def test_layers_describe_the_protection() -> None:
    bwrap_layers = {layer.name: layer for layer in BubblewrapSandbox(limits=LIMITS).layers()}
    names = " | ".join(bwrap_layers)
    for part in ("bubblewrap", "mount namespace", "network namespace", "PID", "uid 65534", "empty environment",
                 "rlimits", "cgroup", "timeout 3 s"):
        assert part in names, names
    assert all(layer.protects for layer in bwrap_layers.values())
    assert "no network" in bwrap_layers["network namespace"].protects
    assert "/proc" in bwrap_layers["mount namespace"].protects
    assert all(layer.active for name, layer in bwrap_layers.items() if not name.startswith("cgroup"))

    weak_layers = {layer.name: layer for layer in WeakSandbox(limits=LIMITS).layers()}
    fs = weak_layers["file system isolation"]
    assert fs.active is False and "NOT PROTECTED" in fs.protects
    assert weak_layers["network namespace (unshare)"].active == bool(shutil.which("unshare"))
    assert weak_layers["empty environment"].active
    assert any(name.startswith("timeout 3 s") for name in weak_layers)


def test_layers_leave_no_cgroup_behind(created_cgroups: list[Path]) -> None:
    BubblewrapSandbox(limits=LIMITS).layers()
    WeakSandbox(limits=LIMITS).layers()
    assert [p for p in created_cgroups if p.exists()] == []


def test_bubblewrap_command_line(workspace: Path) -> None:
    box = BubblewrapSandbox(limits=LIMITS, read_only_paths=[Path("/opt"), Path("/nonexistent-autogpt")])
    argv = box.command(["python3", "-c", "print(1)"], workspace, LIMITS)
    assert argv[0] == "bwrap"
    assert argv[-4:] == ["--", "python3", "-c", "print(1)"]
    head = argv[: argv.index("--")]

    def has(*seq: str) -> bool:
        return any(head[i : i + len(seq)] == list(seq) for i in range(len(head)))

    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                 "--clearenv"):
        assert flag in head, flag
    assert has("--cap-drop", "ALL") and has("--uid", "65534") and has("--gid", "65534")
    assert has("--bind", str(workspace), "/workspace") and has("--chdir", "/workspace")
    assert has("--ro-bind", "/usr", "/usr")
    assert has("--size", str(LIMITS.tmp_mb * 1024 * 1024), "--tmpfs", "/tmp")
    assert has("--proc", "/proc") and has("--remount-ro", "/proc")
    assert has("--dev", "/dev") and has("--remount-ro", "/dev") and has("--tmpfs", "/dev/shm")
    assert has("--remount-ro", "/")
    assert has("--hostname", "sandbox")
    if Path("/opt").exists():
        assert has("--ro-bind", "/opt", "/opt")
    assert "/nonexistent-autogpt" not in head
    assert "--share-net" not in head
    # the only writable binds: the workspace (everything else is --ro-bind, a symlink or a private tmpfs)
    assert head.count("--bind") == 1 and "--dev-bind" not in head
    assert str(Path.home()) not in [head[i + 1] for i, a in enumerate(head) if a in ("--bind", "--ro-bind")]
    # the environment: only what SANDBOX_ENV sets
    env = {head[i + 1]: head[i + 2] for i, a in enumerate(head) if a == "--setenv"}
    assert env["HOME"] == "/tmp" and env["PATH"].startswith("/usr/local/bin") and "OPENAI_API_KEY" not in env
    # the remount of the root comes after every mount below it
    root_ro = max(i for i in range(len(head) - 1) if head[i : i + 2] == ["--remount-ro", "/"])
    last_mount = max(i for i, a in enumerate(head) if a in ("--bind", "--ro-bind", "--tmpfs", "--proc", "--dev"))
    assert root_ro > last_mount


def test_bubblewrap_binds_the_interpreter_prefix_read_only() -> None:
    box = BubblewrapSandbox(python=sys.executable)
    argv = box.command(["true"], Path("/tmp"), LIMITS)
    for prefix in box._python_prefix():
        assert prefix != Path("/") and Path("/usr") not in (prefix, *prefix.parents)
        i = argv.index(str(prefix))
        assert argv[i - 1] == "--ro-bind" and argv[i + 1] == str(prefix)


@needs_bwrap
async def test_command_line_is_what_runs(sandbox: Sandbox, workspace: Path) -> None:
    """command() shows exactly the bwrap command line run() executes (``autogpt sandbox run`` relies on it), with
    the descriptor of the system-call filter it was given."""
    assert isinstance(sandbox, BubblewrapSandbox)
    code = "import sys; sys.stdout.buffer.write(open('/proc/1/cmdline', 'rb').read())"
    result = await sandbox.run([sandbox.python, "-I", "-c", code], workspace)
    assert result.ok, result
    ran = result.stdout.split("\0")[:-1]
    fd = int(ran[ran.index("--seccomp") + 1])
    assert ran == sandbox.command([sandbox.python, "-I", "-c", code], workspace, LIMITS, seccomp_fd=fd)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # a "\n" meant inside a string arrived as a real line break: repaired
        ("for w in 'a b'.split('\n'):\n    print(w)", "for w in 'a b'.split('\\n'):\n    print(w)"),
        ('print("x\ny")', 'print("x\\ny")'),
        # valid code, triple-quoted strings, comments with quotes and escapes are left alone
        ('s = """a\nb"""\nprint(s)', 's = """a\nb"""\nprint(s)'),
        ("print(1)\n# it's\nprint(2)", "print(1)\n# it's\nprint(2)"),
        ("print('a\\'b')", "print('a\\'b')"),
        # an f-string's own quote mark inside its braces (valid from Python 3.12): the inner quotes changed
        ("print(f'{row['id']}')", """print(f'{row["id"]}')"""),
        ('print(f"{row["id"]:>{w}} {\'x\'}")', """print(f"{row['id']:>{w}} {'x'}")"""),
        ("print(f'{{braces}} {a['k']}')  # it's", """print(f'{{braces}} {a["k"]}')  # it's"""),
        ("s = 'it\\'s' + rf'{a['b']}\\d'", """s = 'it\\'s' + rf'{a["b"]}\\d'"""),
        # both in one line, as a small model wrote a CSV row
        ("for o in rows:\n    f.write(f'{o['id']},{o['total']}\n')",
         """for o in rows:\n    f.write(f'{o["id"]},{o["total"]}\\n')"""),
        # broken in another way: unchanged, so the model sees its own error
        ("print(f'{a['b']')", "print(f'{a['b']')"),
        ("def f(:\n  pass", "def f(:\n  pass"),
        ("x = [1, 'a", "x = [1, 'a"),  # ends inside a list: not closed
        # the code ends inside a string (the model closed its reply first): the string and its call are closed
        ("print('a\n", "print('a\\n')"),
        ("with open('post.md', 'w') as f:\n    f.write('# Title\nFirst paragraph.\n\nSecond one.",
         "with open('post.md', 'w') as f:\n    f.write('# Title\\nFirst paragraph.\\n\\nSecond one.')"),
        ('s = "abc', 's = "abc"'),
    ],
)
def test_string_slips_are_repaired_only_when_that_makes_the_code_valid(code: str, expected: str) -> None:
    from autogpt.tools.code import repair_strings

    assert repair_strings(code) == expected


async def test_execute_python_runs_code_with_a_line_break_in_a_string(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    out = await execute_python("print(len('one two'.split('\n')))\nprint('x')", ctx)
    assert "1\nx" in out


async def test_execute_python_runs_a_csv_row_with_both_slips(sandbox: Sandbox, workspace: Path) -> None:
    # A small model's program: the row's \n arrived as a line break, and the f-string reuses its quote mark inside.
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    code = ("rows = [{'id': 501, 'total': 84.5}, {'id': 502, 'total': 67.8}]\nwith open('out.csv', 'w') as f:\n"
            "    for o in rows:\n        f.write(f'{o['id']},{o['total']}\n')\nprint('done')")
    out = await execute_python(code, ctx)
    assert "done" in out and (workspace / "out.csv").read_text() == "501,84.5\n502,67.8\n"


async def test_json_escape_slips_are_mended_in_code_written_or_run(sandbox: Sandbox, workspace: Path) -> None:
    from autogpt.tools.files import write_file

    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    # a "\n" inside a string that arrived as a line break is mended in a .py file, as in execute_python's code
    write_file("lines.py", "def join(items):\n    return '\n'.join(items)\n", ctx)
    assert (workspace / "lines.py").read_text() == "def join(items):\n    return '\\n'.join(items)\n"
    write_file("notes.txt", "one '\n' two", ctx)  # not code: written as it is
    assert (workspace / "notes.txt").read_text() == "one '\n' two"
    # ParseDuration, run 23: r'(\b[0-9]+\b)' sent as JSON "\b" arrived as backspaces
    write_file("parts.py", "import re\ndef parts(text):\n    return re.findall(r'(\b[0-9]+\b)([a-z]*)', text)\n", ctx)
    assert (workspace / "parts.py").read_text() == ("import re\ndef parts(text):\n"
                                                    "    return re.findall(r'(\\b[0-9]+\\b)([a-z]*)', text)\n")
    assert "[('12', ''), ('7', '')]" in await execute_python("from parts import parts\nprint(parts('12 7'))", ctx)
    assert "['ab']" in await execute_python("import re\nprint(re.findall(r'\ba\\w', 'x ab'))", ctx)  # the same


async def test_execute_python_shows_the_first_lines_of_the_files_it_wrote(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "old.txt").write_text("untouched")
    out = await execute_python(
        "open('answer.txt', 'w').write('Coastal\\n')\n"
        "open('总计.csv', 'w', encoding='utf-8').write('地区,金额\\n' + ''.join(f'r{i},{i}\\n' for i in range(50)))\n"
        "open('blob.bin', 'wb').write(bytes(range(256)))", ctx)
    assert out.startswith("Exit code: 0\n--- stdout ---\n(empty)\n--- files it wrote ---\n")
    assert "answer.txt:\nCoastal\n" in out and "old.txt" not in out
    assert "总计.csv:\n地区,金额\nr0,0\n" in out and "r6,6\n[...]" in out and "r7,7" not in out
    assert "blob.bin (binary)" in out
    quiet = await execute_python("print(6 * 7)", ctx)
    assert "files it wrote" not in quiet and "42" in quiet


async def test_a_failed_assert_is_named_in_the_result(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "duration.py").write_text("def parse_duration(text):\n    return 0\n")
    with pytest.raises(ToolError) as failed:
        await execute_python("from duration import parse_duration\nassert parse_duration('45s') == 45\nprint('ok')",
                             ctx)
    # what the left side gave, as pytest says it (Slugify's model replaced a right function with a wrong one)
    assert str(failed.value).endswith('File "<stdin>", line 2, in <module>\nAssertionError: got 0')
    (workspace / "slugify.py").write_text("import re\ndef slugify(text):\n    return re.sub('[^a-z0-9]', '-', text)\n")
    code = ("from slugify import slugify\ncalls = []\ndef slug(t):\n    calls.append(t)\n    return slugify(t)\n"
            "assert slug('Ünï, Code') == '-n----ode'\nassert calls == ['Ünï, Code']\nassert slug('a') == 'a'\n"
            "assert len(calls) == 2\nassert calls == ['x'], 'own message'\n")
    with pytest.raises(ToolError) as second:  # the left side runs once; lines and messages of its own stay
        await execute_python(code, ctx)
    assert "AssertionError: own message" in str(second.value) and 'File "<stdin>", line 10' in str(second.value)
    with pytest.raises(ToolError) as first:
        await execute_python(code.replace("'-n----ode'", "'-n--code'"), ctx)
    assert str(first.value).endswith('File "<stdin>", line 6, in <module>\nAssertionError: got \'-n----ode\'')
    with pytest.raises(ToolError) as bare:  # not an == comparison: left as it is
        await execute_python("from duration import parse_duration\nassert parse_duration('45s') > 1\n", ctx)
    assert str(bare.value).endswith('File "<stdin>", line 2, in <module>\nAssertionError')


@needs_bwrap
async def test_a_test_file_runs_with_pytest_where_the_sandbox_has_it(workspace: Path) -> None:
    # ParseDuration's model wrote pytest tests and ran the file: as a script it only defines the tests
    (workspace / "slug.py").write_text("def slug(t):\n    return t.lower().replace(' ', '_')\n")
    (workspace / "test_slug.py").write_text("from slug import slug\n\ndef test_lower():\n    assert slug('AB') == 'ab'\n"
                                            "\ndef test_dash():\n    assert slug('a b') == 'a-b'\n")
    # autogpt's own Python has pytest, with plugins (hypothesis, schemathesis) that take ~3 s to load here
    with_pytest = create_sandbox(limits=dataclasses.replace(LIMITS, timeout=30), python=sys.executable)
    ctx = ctx_for(workspace, with_pytest)
    with pytest.raises(ToolError) as failed:
        await execute_python_file("test_slug.py", ctx)
    assert "1 failed, 1 passed" in str(failed.value) and "assert 'a_b' == 'a-b'" in str(failed.value)
    (workspace / "slug.py").write_text("def slug(t):\n    return t.lower().replace(' ', '-')\n")
    assert "2 passed" in await execute_python_file("test_slug.py", ctx, args=["-k", "dash or lower"])
    assert not list(workspace.glob(".pytest_cache"))
    # an environment without pytest: the file runs as the program it is
    from autogpt.sandbox.environment import create_environment

    bare = create_environment(workspace.parent / "cache", [])  # no packages: nothing is downloaded
    plain = ctx_for(workspace, create_sandbox(limits=LIMITS, python=str(bare)))
    (workspace / "test_main.py").write_text("from slug import slug\n\ndef test_it():\n    assert slug('A B') == 'a-b'\n"
                                            "\ntest_it()\nprint('ok')\n")
    assert (await execute_python_file("test_main.py", plain)).endswith("ok")
    assert plain.extras["sandbox_pytest"] is False and ctx.extras["sandbox_pytest"] is True


async def test_code_can_import_the_modules_in_the_workspace(sandbox: Sandbox, workspace: Path) -> None:
    # with python -I the workspace was not on sys.path, and the agent could not test the module it wrote
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "slug.py").write_text("def slug(t):\n    return t.lower().replace(' ', '-')\n")
    (workspace / "test_slug.py").write_text("from slug import slug\nassert slug('A B') == 'a-b'\nprint('ok')\n")
    assert (await execute_python("from slug import slug\nprint(slug('Hello World'))", ctx)).endswith("hello-world")
    assert (await execute_python_file("test_slug.py", ctx)).endswith("ok")


def test_tracebacks_keep_the_programs_own_frames_and_the_last_error() -> None:
    from autogpt.tools.code import condense_traceback

    stderr = textwrap.dedent("""\
        Traceback (most recent call last):
          File "/usr/lib/python3.11/socket.py", line 962, in getaddrinfo
            for res in _socket.getaddrinfo(host, port, family, type, proto, flags):
        socket.gaierror: [Errno -2] Name or service not known

        During handling of the above exception, another exception occurred:

        Traceback (most recent call last):
          File "<stdin>", line 2, in <module>
          File "/usr/lib/python3.11/urllib/request.py", line 216, in urlopen
            return opener.open(url, data, timeout)
                   ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
          File "/work/lib/python3.11/site-packages/x/y.py", line 3, in open
            raise URLError(err)
        urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>""")
    assert condense_traceback(stderr) == textwrap.dedent("""\
        Traceback (most recent call last):
          File "<stdin>", line 2, in <module>
        urllib.error.URLError: <urlopen error [Errno -2] Name or service not known>
        (2 frames inside Python's libraries left out)""")
    assert condense_traceback("plain error\n") == "plain error\n"


async def test_read_only_paths_under_tmp_stay_visible(tmp_path: Path, workspace: Path) -> None:
    """A venv or checkout under /tmp (CI clones there) must not be hidden by the sandbox's own /tmp."""
    if not shutil.which("bwrap"):
        pytest.fail("bubblewrap is not installed")
    shared = tmp_path / "shared-ro"
    shared.mkdir()
    (shared / "data.txt").write_text("visible")
    box = create_sandbox("strict", read_only_paths=[shared])
    result = await box.run(["cat", str(shared / "data.txt")], workspace)
    assert result.exit_code == 0 and result.stdout == "visible"
    denied = await box.run(["sh", "-c", f"echo x > {shared}/new.txt"], workspace)
    assert denied.exit_code != 0 and not (shared / "new.txt").exists()
    assert (await box.run(["sh", "-c", "echo x > /tmp/scratch && cat /tmp/scratch"], workspace)).stdout == "x\n"


# --- the sandbox's Python environment (autogpt sandbox setup) ----------------------------------------------


@needs_bwrap
def test_sandbox_setup_makes_the_environment_code_runs_with(tmp_path: Path) -> None:
    from autogpt import AutoGPT
    from autogpt.sandbox.environment import create_environment, environment_python

    cache = tmp_path / "cache"
    settings = Settings.load(cache_dir=cache, data_dir=tmp_path / "data")
    assert AutoGPT(settings=settings).sandbox.python != str(environment_python(cache))  # none yet: the base Python
    python = create_environment(cache, [])  # no packages: nothing is downloaded in tests
    assert python == environment_python(cache)
    sandbox = AutoGPT(settings=settings).sandbox
    assert sandbox.python == str(python)
    (tmp_path / "ws").mkdir()
    result = asyncio.run(sandbox.run([sandbox.python, "-c", "import sys; print(sys.prefix)"], tmp_path / "ws"))
    assert result.exit_code == 0 and result.stdout.strip() == str(cache / "sandbox-python")
    # A configured interpreter still wins.
    configured = Settings.load(cache_dir=cache, data_dir=tmp_path / "data", sandbox_python=sys.executable)
    assert AutoGPT(settings=configured).sandbox.python == sys.executable


def test_sandbox_setup_reports_what_pip_said(tmp_path: Path) -> None:
    from autogpt.errors import ConfigError
    from autogpt.sandbox.environment import create_environment

    with pytest.raises(ConfigError, match="Could not install no-such-package-autogpt") as failed:
        create_environment(tmp_path, ["no-such-package-autogpt"], pip_args=["--no-index"])  # offline: fails at once
    assert "No matching distribution" in str(failed.value) or "ERROR" in str(failed.value)


@needs_bwrap
def test_the_installed_sandbox_environment_has_pandas(tmp_path: Path) -> None:
    """What scripts/install.sh sets up (`autogpt sandbox setup`): code the model writes can use pandas."""
    from autogpt import AutoGPT

    agent = AutoGPT(settings=Settings.load(data_dir=tmp_path / "data"))  # the default cache folder
    assert "sandbox-python" in agent.sandbox.python, "run `autogpt sandbox setup` (scripts/install.sh does)"
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "t.csv").write_text("city,temp\nLyon,6.8\nLyon,5.2\n")
    code = "import pandas as pd\nprint(round(pd.read_csv('t.csv')['temp'].mean(), 1))"
    output = asyncio.run(Tool(execute_python).call({"code": code}, ctx_for(tmp_path / "ws", agent.sandbox)))
    assert output == "Exit code: 0\n--- stdout ---\n6.0"


def test_cli_sandbox_setup_says_why_it_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from autogpt.cli import app

    monkeypatch.setenv("AUTOGPT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip reads its options from the environment: no download in tests
    result = CliRunner().invoke(app, ["sandbox", "setup", "--package", "no-such-package-autogpt"])
    assert result.exit_code != 0
    assert "Could not install no-such-package-autogpt" in result.output
    assert (tmp_path / "cache" / "sandbox-python" / "bin" / "python").exists()  # the environment itself was made
