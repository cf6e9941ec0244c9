"""The sandbox's behaviour: results, stdin, limits and their reporting, the code tools (execute_python,
execute_python_file, execute_shell), choosing a sandbox (create_sandbox), the weak fallback, layers() and the
bubblewrap command line. The attacks are in test_sandbox_attacks.py.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
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
from autogpt.tools.workspace import Workspace

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
async def test_failed_runs_carry_a_hint_for_the_usual_mistakes(sandbox: Sandbox, workspace: Path) -> None:
    ctx, tool = ctx_for(workspace, sandbox), Tool(execute_python)
    with pytest.raises(ToolError, match="NameError") as failed:  # counting on an earlier run's definitions
        await tool.call({"code": "print(fibonacci(20))"}, ctx)
    assert "nothing from earlier runs exists" in str(failed.value)
    with pytest.raises(ToolError, match="SyntaxError") as failed:  # a program squeezed onto one line
        await tool.call({"code": "def f(n): if n < 2: return n"}, ctx)
    assert "the code is on one line" in str(failed.value)
    with pytest.raises(ToolError, match="ModuleNotFoundError") as failed:  # pandas, as small models reach for
        await tool.call({"code": "import pandas as pd\nprint(pd.read_csv('a.csv'))"}, ctx)
    assert "csv.DictReader" in str(failed.value)


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
    # Slugify and ParseDuration, run 18: a test that was never written, its code given as args: it is run
    (workspace / "slug.py").write_text("def slug(text):\n    return text.lower()\n")
    test = "from slug import slug\nassert slug('Hi') == 'hi'\nprint('ok')"
    out = await tool.call({"path": "test_slug.py", "args": [test]}, ctx)
    assert out == ("Note: test_slug.py does not exist, so the code you gave as its args was run as a program, as "
                   "execute_python(code=...) runs it (next time, pass code to execute_python).\n\n"
                   "Exit code: 0\n--- stdout ---\nok")
    with pytest.raises(ToolError) as failed:
        await tool.call({"path": "test_slug.py", "args": [test.replace("'hi'", "'HI'")]}, ctx)
    assert str(failed.value).startswith("Note: test_slug.py does not exist, so the code you gave as its args was run")
    assert "slug('Hi') gave 'hi', not 'HI'" in str(failed.value)
    assert not (workspace / "test_slug.py").exists()
    # Slugify, run 25: the module itself run, its test as args: the test is run
    out = await tool.call({"path": "slug.py", "args": [test, "question"]}, ctx)
    assert out == ("Note: the code you gave imports slug.py: it tests it, so the code you gave as its args was run as "
                   "a program, as execute_python(code=...) runs it (next time, pass code to execute_python).\n\n"
                   "Exit code: 0\n--- stdout ---\nok")
    with pytest.raises(ToolError, match="args are the program's command-line arguments, not code"):  # the module's
        await tool.call({"path": "slug.py", "args": ["def slug(text):\n    return text"]}, ctx)  # own code


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
    """command() shows exactly the bwrap command line run() executes (``autogpt sandbox run`` relies on it)."""
    assert isinstance(sandbox, BubblewrapSandbox)
    code = "import sys; sys.stdout.buffer.write(open('/proc/1/cmdline', 'rb').read())"
    result = await sandbox.run([sandbox.python, "-I", "-c", code], workspace)
    assert result.ok, result
    assert result.stdout.split("\0")[:-1] == sandbox.command([sandbox.python, "-I", "-c", code], workspace, LIMITS)


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
        # broken in another way: unchanged, so the model sees its own error
        ("print('a\n", "print('a\n"),
        ("def f(:\n  pass", "def f(:\n  pass"),
    ],
)
def test_line_breaks_inside_strings_are_repaired_only_when_that_makes_the_code_valid(code: str, expected: str) -> None:
    from autogpt.tools.code import repair_newlines_in_strings

    assert repair_newlines_in_strings(code) == expected


async def test_execute_python_runs_code_with_a_line_break_in_a_string(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    out = await execute_python("print(len('one two'.split('\n')))\nprint('x')", ctx)
    assert "1\nx" in out


@pytest.mark.parametrize(
    ("code", "stderr", "says"),
    [
        ("import pandas", "ModuleNotFoundError: No module named 'pandas'", "csv.DictReader"),
        ("import yaml", "ModuleNotFoundError: No module named 'yaml'", "nothing can be installed"),
        ("import pytest", "ModuleNotFoundError: No module named 'pytest'", "plain assert statements"),
        ("print(total)", "NameError: name 'total' is not defined", "new, empty program"),
        ("s = f'{a}: {b}\nprint(s)", "SyntaxError: unterminated string literal (detected at line 1)",
         "opened and never closed"),
        ("for x in y: print(x) if x else: pass", "SyntaxError: invalid syntax", "code is on one line"),
        ("sorted(rows, key=lambda r: float(r[2]))", "ValueError: could not convert string to float: 'salary'",
         "header row"),
        ("int(r[1])", "ValueError: invalid literal for int() with base 10: '数量'", "float(row['数量'])"),
        # MissingPath: the last cell of a line split by hand keeps its line break
        ("float(line.split(',')[2])", "ValueError: could not convert string to float: 'amount\\n'",
         "float(row['amount'])"),
        ("float(x)", "ValueError: could not convert string to float: '1,200'", ""),
        # ParseDuration: a bare AssertionError, and the same asserts run again
        ("from d import f\nassert f('1h30m') == 5400\nprint('ok')",
         'Traceback (most recent call last):\n  File "<stdin>", line 2, in <module>\nAssertionError',
         "Note: the assert on line 2 failed: assert f('1h30m') == 5400. Print what it gets to see why "
         "(print(f('1h30m'))), then fix the code it tests."),
        ("x = 1\nassert x > 2", 'File "<stdin>", line 2, in <module>\nAssertionError',
         "Note: the assert on line 2 failed: assert x > 2. Print what it checks"),
        ("assert f(1) == 2, 'bad'", 'File "<stdin>", line 1, in <module>\nAssertionError: bad', ""),
        # Slugify: `from slugify import slugify` inside slugify.py
        ("from slugify import slugify\nassert slugify('A') == 'a'",
         "ImportError: cannot import name 'slugify' from partially initialized module 'slugify' (most likely due to "
         "a circular import) (/workspace/slugify.py)",
         "Note: slugify.py imports itself, so it cannot be loaded. Write slugify.py again without the line that "
         "imports slugify"),
        # SortCsv, run 10: csv.reader's header row, then row['salary'] on csv.reader's lists
        ("reader = csv.reader(f)\nsorted(reader, key=lambda row: float(row[2]))",
         "ValueError: could not convert string to float: 'salary'", "header = next(reader) right after"),
        # SortCsv, run 29: told where, the model put header = next(reader) on the first line; the program is written out
        ("import csv\nwith open('e.csv') as f:\n    reader = csv.reader(f)\n    rows = sorted(reader, key=lambda r: "
         "float(r[2]))\nwith open('s.csv', 'w') as f:\n    writer = csv.writer(f)\n    writer.writerows(rows)",
         "ValueError: could not convert string to float: 'salary'",
         'Your program that way: execute_python(code="import csv\\nwith open(\'e.csv\') as f:\\n    reader = '
         "csv.reader(f)\\n    header = next(reader)\\n    rows = sorted(reader, key=lambda r: float(r[2]))\\nwith "
         "open('s.csv', 'w') as f:\\n    writer = csv.writer(f)\\n    writer.writerow(header)\\n    "
         'writer.writerows(rows)")'),
        ("print(rows[0])\nrows = [1]", "NameError: name 'rows' is not defined", ""),  # set later: see _set_later
        # InventoryReport, run 25: total = 0, then sum(total) after a loop that never added to it
        ("total = 0\nfor v in vs:\n    print(v)\nprint(sum(total))", "TypeError: 'int' object is not iterable",
         "sum(total) needs a list of numbers, and total is one number. Add each value inside the loop (total += value"),
        # ZhAverageScore, run 25: no table written, so no word of writing the header (it wrote the rows to average.txt)
        ("reader = csv.reader(f)\nprint(sum(float(row[1]) for row in reader))",
         "ValueError: could not convert string to float: '分数'", "right after reader = csv.reader(...)."),
        ("r = csv.reader(f)\nw = csv.writer(o)\nfor row in r:\n    w.writerow([float(row[1])])",
         "ValueError: could not convert string to float: 'amount'", "writer.writerow(header) before the rows."),
        ("reader = csv.reader(f)\nsorted(reader, key=lambda row: float(row['salary']))",
         "TypeError: list indices must be integers or slices, not str", "use csv.DictReader for rows indexed"),
        ("row = {}\nrow[[1]]", "TypeError: list indices must be integers or slices, not str", ""),
        # InventoryReport: 'widget: 14' split on ': ' is no CSV
        ("parts = line.split(': ')[:2]\nquantity = int(parts[0])",
         "ValueError: invalid literal for int() with base 10: 'widget'", "Print the parts of one line first"),
        ("row = line.split(',')\nint(row[0])", "ValueError: invalid literal for int() with base 10: 'id'",
         "header row"),
        ("int(line)", "ValueError: invalid literal for int() with base 10: '姓名,分数'", "float(row['分数'])"),
        # ParseDuration: int(text.split(unit)[0]) for '1h30m'; the example's result is Python's own
        ("value = int(text.split(unit)[0])", "ValueError: invalid literal for int() with base 10: '1h30'",
         "re.findall(r'(\\d+)([a-z]*)', '1h30') gives [('1', 'h'), ('30', '')]"),
        ("int(code)", "ValueError: invalid literal for int() with base 10: '12abc'", ""),
        ("requests.get(url)", "requests.exceptions.ConnectionError: HTTPConnectionPool(host='127.0.0.1', port=4)",
         "read_webpage"),
        ("import requests", "ModuleNotFoundError: No module named 'requests'", "read_webpage"),
        ("urlopen(url)", "urllib.error.URLError: <urlopen error [Errno 101] Network is unreachable>", "read_webpage"),
        ("json.load(f)", "json.decoder.JSONDecodeError: Expecting property name enclosed in double quotes: line 3",
         "comma before }"),
        ("print(1/0)", "ZeroDivisionError: division by zero", ""),
        # WebFollowLink: the page to read next, fetched with the command's name inside a program
        ("import re\nresponse = read_webpage('http://127.0.0.1:8/warranty.html')",
         "NameError: name 'read_webpage' is not defined",
         'Use it as your next command instead: read_webpage(url="http://127.0.0.1:8/warranty.html")'),
        ("write_file('a.txt', 'x')", "NameError: name 'write_file' is not defined", "not a Python function"),
        # Slugify: `import slugify` then slugify(...), three times
        ("import slugify\nassert slugify('Hello, World!') == 'hello-world'",
         "TypeError: 'module' object is not callable", "from slugify import slugify"),
        ("import m\nf = m\nf()", "TypeError: 'module' object is not callable", "from module import function"),
        ("total = 0\nfor item in input.json:\n    total += item['qty']",
         "AttributeError: 'builtin_function_or_method' object has no attribute 'json'",
         "json.load(open('input.json', encoding='utf-8'))"),
        ("for row in sales.csv:\n    print(row)", "NameError: name 'sales' is not defined",
         "csv.DictReader(open('sales.csv'"),
        ("print(notes.txt)", "NameError: name 'notes' is not defined", "open('notes.txt', encoding='utf-8').read()"),
        # an attribute that happens to be called json, or a file name in quotes: not this mistake
        ("r = get()\nprint(r.json)", "AttributeError: 'NoneType' object has no attribute 'json'", ""),
        ("print(open('data.csv').read())\nprint(total)", "NameError: name 'total' is not defined",
         "new, empty program"),
        # SortCsv, run 23: the file read and emptied by the same program
        ("with open('s.csv', 'r') as i, open('s.csv', 'w', newline='') as o:\n    h = next(csv.reader(i))",
         "Traceback (most recent call last):\n  File \"<stdin>\", line 2, in <module>\nStopIteration",
         "opening s.csv with 'w' empties it at once"),
        ("h = next(csv.reader(open('a.csv')))", "StopIteration", "the file it reads is empty"),
        # InventoryReport, run 24
        ("print(f'TOTAL: {:.2f}'.format(total))", "SyntaxError: f-string: expression required before ':'",
         "'TOTAL: {:.2f}'.format(total)"),
        ("for q in qs:\n    total += q", "NameError: name 'total' is not defined", "total is never set"),
        # ParseDuration, run 25: the module's own check raised on an example that should give a value
        ("from duration import parse_duration\nassert parse_duration('1h30m') == 5400",
         "  File \"<stdin>\", line 2, in <module>\n  File \"/workspace/duration.py\", line 10, in parse_duration\n"
         "    raise ValueError('Repeated unit')\nValueError: Repeated unit",
         "Note: parse_duration('1h30m') should give 5400, but duration.py raised ValueError: Repeated unit at line 10 "
         "(raise ValueError('Repeated unit')): the check that leads to line 10 is wrong for this text."),
        ("from m import f\nassert f('a') == 1", "  File \"<stdin>\", line 2, in <module>\n  File \"/workspace/m.py\", "
         "line 3, in f\n    return d[t]\nKeyError: 'a'",
         "f('a') should give 1, but m.py raised KeyError: 'a' at line 3 (return d[t]): that line fails for this text"),
        ("from m import f\nprint(f('a'))", "  File \"<stdin>\", line 2, in <module>\n  File \"/workspace/m.py\", "
         "line 3, in f\n    raise ValueError('x')\nValueError: x", ""),  # not an assert of a value
        # InventoryReport, run 23: told of earlier runs, it left the program and tried to read a web page
        ("for k, q in inventory.items():\n    value = q * prices[k]\nprint(sum(value for value in values))",
         "NameError: name 'values' is not defined. Did you mean: 'value'?", "values is never set in this program"),
    ],
)
def test_common_mistakes_get_a_hint(code: str, stderr: str, says: str) -> None:
    from autogpt.tools.code import hint

    note = hint(code, f"Traceback (most recent call last):\n{stderr}")
    assert (says in note) if says else note == ""


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


async def test_rows_copied_with_their_numbers_rewritten_get_a_note(sandbox: Sandbox, workspace: Path) -> None:
    # pandas' read_csv + to_csv turns 120.50 into 120.5: FilterRows asked for the rows unchanged
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "orders.csv").write_text("id,status,amount\n1001,shipped,120.50\n1002,pending,75.00\n")
    out = await execute_python("open('shipped.csv', 'w').write('id,status,amount\\n1001,shipped,120.5\\n')", ctx)
    assert ("Note: shipped.csv has rows of orders.csv with their values rewritten ('120.50' became '120.5')"
            in out) and "dtype=str" in out
    kept = await execute_python("open('shipped.csv', 'w').write('id,status,amount\\n1001,shipped,120.50\\n')", ctx)
    longer = await execute_python("open('wide.csv', 'w').write('1002,pending,75.000\\n')", ctx)  # on purpose
    other = await execute_python("open('notes.txt', 'w').write('1001,shipped,120.5\\n')", ctx)  # not a table
    assert not any("Note:" in text for text in (kept, longer, other))


async def test_a_table_with_rewritten_rows_is_not_done_and_finish_asks_once(sandbox: Sandbox, workspace: Path) -> None:
    # FilterRows, run 11: told both that its rows were rewritten and that every file existed, it finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["orders.csv has the columns id, status and amount. Write a file named shipped.csv that contains the "
                 "header row and only the rows whose status is exactly shipped."]
    (workspace / "orders.csv").write_text("id,status,amount\n1001,shipped,120.50\n1002,pending,75.00\n")
    out = await execute_python("open('shipped.csv', 'w').write('id,status,amount\\n1001,shipped,120.5\\n')", ctx)
    assert "values rewritten" in out and "exists now" not in out
    ctx.observations.append(out)
    with pytest.raises(ToolError) as refused:
        finish("Wrote the shipped rows.", ctx)
    assert str(refused.value) == (
        "Not finished: shipped.csv has rows of orders.csv with their values rewritten ('120.50' became '120.5'): "
        "pandas reads numbers as numbers. To copy rows unchanged, read with pd.read_csv('orders.csv', dtype=str), "
        "or use the csv module. Write shipped.csv again that way. If it is right as it is, call finish again.")
    assert finish("Done.", ctx) == "Done."  # asked once
    ctx.extras.clear()
    fixed = await execute_python("open('shipped.csv', 'w').write('id,status,amount\\n1001,shipped,120.50\\n')", ctx)
    assert "exists now" in fixed
    assert finish("Done.", ctx) == "Done."
    await execute_python("open('shipped.csv', 'w').write('id,status,amount\\n1001,shipped,120.5\\n')", ctx)
    write_file("shipped.csv", "id,status,amount\n1001,shipped,120.50\n", ctx)  # written again by hand: fine
    assert finish("Done.", ctx) == "Done."


async def test_a_table_with_repeated_or_unsorted_rows_the_goals_rule_out_is_not_done(sandbox: Sandbox,
                                                                                     workspace: Path) -> None:
    # JoinCsv, run 21: its merge wrote one row per order, each with its customer's total, unsorted; it finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Write customer_totals.csv with the header name,total and one row for every customer in "
                 "customers.csv, with the rows sorted by total from highest to lowest."]
    (workspace / "customers.csv").write_text("customer_id,name\nC01,Amara\nC02,Bruno\n")
    out = await execute_python("open('customer_totals.csv', 'w').write('name,total\\nAmara,293.75\\nAmara,293.75\\n"
                               "Bruno,299.9\\n')", ctx)
    assert out.endswith("Note: customer_totals.csv has the row 'Amara,293.75' 2 times, but the goals ask for one row "
                        "for each. Have the program write each one once (group the rows first: one per key, with its "
                        "sum).")
    with pytest.raises(ToolError, match="Not finished: customer_totals.csv has the row 'Amara,293.75' 2 times"):
        finish("Wrote the totals.", ctx)
    out = await execute_python("open('customer_totals.csv', 'w').write('name,total\\nAmara,293.75\\nBruno,299.9\\n"
                               "Carmen,10\\n')", ctx)
    assert "Note: customer_totals.csv is not sorted by total from highest to lowest, as the goals ask: row 2 is " \
           "'Amara,293.75', and row 3 'Bruno,299.9'. Have the program sort the rows before writing them (sorted(rows, " \
           "key=..., reverse=True), or df.sort_values('total', ascending=False))." in out
    assert finish("Done.", ctx) == "Done."  # asked once for the file
    ctx.observations.append(out)  # as the loop does: the numbers were shown
    typed = write_file("customer_totals.csv", "name,total\nBruno,299.9\nAmara,293.75\nCarmen,10\n", ctx)
    assert "Note: every file the task asks for exists now" in typed  # right: done
    ctx.goals = ["读取 scores.csv，写出 ranked.csv（表头 name,score），按 score 从高到低排序。"]
    assert "is not sorted by score from highest to lowest" in write_file(
        "ranked.csv", "name,score\nA,1\nB,3\nC,2\n", ctx)
    ctx.goals = ["Write sorted.csv with the rows of employees.csv sorted by salary from lowest to highest."]
    assert "not sorted" not in write_file("sorted.csv", "name,salary\nA,1\nB,3\nC,20\n", ctx)  # as numbers


async def test_a_table_holding_its_header_row_as_data_is_not_done(sandbox: Sandbox, workspace: Path) -> None:
    # FilterRows, run 23: csv.writer's writerows with DictReader rows wrote each dict's keys; the model finished
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["orders.csv has the columns id, status and amount. Write a file named shipped.csv that contains the "
                 "header row and only the rows whose status is exactly shipped, in their original order."]
    (workspace / "orders.csv").write_text("id,status,amount\n1001,shipped,120.50\n1002,pending,75.00\n"
                                          "1003,shipped,9.00\n")
    code = ("import csv\nwith open('orders.csv') as f:\n    rows = [r for r in csv.DictReader(f) if r['status'] == "
            "'shipped']\nwith open('shipped.csv', 'w', newline='') as f:\n    w = csv.writer(f)\n"
            "    w.writerow(['id', 'status', 'amount'])\n    w.writerows(rows)")
    out = await execute_python(code, ctx)
    assert "Note: shipped.csv has its header row 'id,status,amount' again as 2 of its 2 rows, in place of the data. " \
           "csv.writer's writerows with dicts" in out and "csv.DictWriter(f, fieldnames=reader.fieldnames)" in out
    with pytest.raises(ToolError, match="Not finished: shipped.csv has its header row"):
        finish("Wrote shipped.csv.", ctx)
    fixed = await execute_python(code.replace("w = csv.writer(f)\n    w.writerow(['id', 'status', 'amount'])",
                                              "w = csv.DictWriter(f, fieldnames=['id', 'status', 'amount'])\n"
                                              "    w.writeheader()"), ctx)
    assert "header row" not in fixed and (workspace / "shipped.csv").read_text().splitlines()[1:] == \
        ["1001,shipped,120.50", "1003,shipped,9.00"]
    assert finish("Done.", ctx) == "Done."


async def test_a_table_with_a_column_empty_in_every_row_is_not_done(sandbox: Sandbox, workspace: Path) -> None:
    # JoinCsv, run 24: a groupby Series assigned as a column lined up by customer_id, not by row: no total anywhere
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Write customer_totals.csv with the header name,total: each customer's name and order total."]
    (workspace / "customers.csv").write_text("customer_id,name\nC01,Amara\nC02,Bruno\nC03,Carmen\n")
    code = ("import csv\nrows = list(csv.DictReader(open('customers.csv')))\nwith open('customer_totals.csv', 'w') as f:"
            "\n    f.write('name,total\\n')\n    for r in rows:\n        f.write(r['name'] + ',' + {} + '\\n')")
    out = await execute_python(code.format("''"), ctx)
    assert "Note: customer_totals.csv's column total is empty in every row: the program put no value there. A pandas " \
           "Series assigned as a column lines up by its index" in out
    with pytest.raises(ToolError, match="Not finished: customer_totals.csv's column total is empty in every row"):
        finish("Wrote customer_totals.csv.", ctx)
    filled = await execute_python(code.format("('1' if r['name'] == 'Bruno' else '')"), ctx)  # one value is enough
    assert "is empty in every row" not in filled
    assert finish("Done.", ctx) == "Done."


async def test_rows_written_without_the_header_row_get_a_note(sandbox: Sandbox, workspace: Path) -> None:
    # FilterRows: `if row[2] == 'shipped'` drops the header row too, and the model finished
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "orders.csv").write_text("id,status,amount\n1001,shipped,120.50\n1002,pending,75.00\n")
    code = ("import csv\nrows = [r for r in csv.reader(open('orders.csv')) if r[1] == 'shipped']\n"
            "csv.writer(open('shipped.csv', 'w', newline='')).writerows(rows)")
    out = await execute_python(code, ctx)
    assert out.endswith("Note: shipped.csv starts with a row of orders.csv but has no header row "
                        "('id,status,amount'). If it should have one (tables usually do), have the program write the "
                        "header row first, before the rows (appending it would put it after them).")
    kept = await execute_python("open('shipped.csv', 'w').write('id,status,amount\\n1001,shipped,120.50\\n')", ctx)
    summary = await execute_python("open('totals.csv', 'w').write('shipped,120.50\\n')", ctx)  # not a row of it
    assert "Note:" not in kept and "Note:" not in summary
    # FilterRows, run 21: the header and the rows appended after the rows; the table held them twice
    from autogpt.tools.core import protect_inputs
    from autogpt.tools.files import append_file

    ctx.goals = ["orders.csv lists orders. Write shipped.csv with the header row and the shipped rows."]
    protect_inputs(ctx, ctx.workspace.snapshot())
    (workspace / "shipped.csv").write_text("1001,shipped,120.50\n")
    with pytest.raises(ToolError, match=r"begins with the header row \('id,status,amount'\), and shipped.csv "
                                        r"already has rows"):
        append_file("shipped.csv", "id,status,amount\n1001,shipped,120.50\n", ctx)
    assert (workspace / "shipped.csv").read_text() == "1001,shipped,120.50\n"
    assert append_file("shipped.csv", "1003,shipped,9.00\n", ctx).startswith("Appended")  # rows: fine
    # FilterRows, run 24: the rows typed under no header row, "every file exists", then finish
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    typed = write_file("shipped.csv", "1001,shipped,120.50\n1002,pending,75.00\n", ctx)
    assert typed.endswith("Note: shipped.csv starts with a row of orders.csv but has no header row "
                          "('id,status,amount'). If it should have one (tables usually do), have the program write the "
                          "header row first, before the rows (appending it would put it after them).")
    with pytest.raises(ToolError, match="Not finished: shipped.csv starts with a row of orders.csv"):
        finish("Wrote shipped.csv.", ctx)
    assert "every file the task asks for exists now" in write_file("shipped.csv", "id,status,amount\n"
                                                                   "1001,shipped,120.50\n", ctx)


async def test_a_name_used_above_the_line_that_sets_it_is_named_with_both_lines(sandbox: Sandbox,
                                                                                workspace: Path) -> None:
    # SortCsv, run 29: `header = next(reader)` put first; told to read employees.csv into reader, the model ran
    # next() on a list
    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["employees.csv has the columns name and salary. Write sorted.csv sorted by salary."]
    (workspace / "employees.csv").write_text("name,salary\nAda,3\n")
    code = ("import csv\nheader = next(reader)\nwith open('employees.csv') as file:\n    reader = csv.reader(file)\n"
            "    rows = list(reader)\nprint(header, rows)")
    with pytest.raises(ToolError) as failed:
        await execute_python(code, ctx)
    assert str(failed.value).endswith(
        "NameError: name 'reader' is not defined\nNote: reader is used on line 2 (header = next(reader)) before "
        "line 4 sets it (reader = csv.reader(file)). A program runs from its first line down: move line 2 below line "
        "4, where reader exists.")


async def test_a_file_name_used_as_an_undefined_variable_is_read_and_the_program_run_again(sandbox: Sandbox,
                                                                                        workspace: Path) -> None:
    # InventoryReport: `for item, quantity in inventory.items():` in four programs, with inventory.txt unread, and
    # in run 14 it ignored the program written out for it with the line that reads the file
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "inventory.txt").write_text("widget: 14\n")
    (workspace / "prices.json").write_text('{"widget": 2.75}')
    code = "for item, quantity in inventory.items():\n    print(item, quantity * prices[item])"
    shown = await execute_python(code, ctx)
    assert shown.startswith(
        "Note: your program used inventory, prices without defining them (every execute_python run is a new, empty "
        "program), so it was run again with these lines first:\n"
        "inventory = {key.strip(): int(value) for key, value in (line.replace('=', ':').split(':', 1) for line in "
        "open('inventory.txt', encoding='utf-8')) if value.strip()}\n"
        "import json; prices = json.load(open('prices.json', encoding='utf-8'))\n\nExit code: 0")
    assert "widget 38.5" in shown
    (workspace / "weights.txt").write_text("widget: 1.5\n")
    assert "weights = {key.strip(): float(value)" in await execute_python("print(sum(weights.values()))", ctx)
    # a module used without its import, too (MalformedJson: `json` and `re`)
    shown = await execute_python("data = json.loads('[1, 2]')\nprint(re.sub('1', 'one', str(data)))", ctx)
    assert "used json, re without defining them" in shown and "import json\nimport re\n\n" in shown
    assert "[one, 2]" in shown
    # Latin1Encoding: `for line in customers` with customers.txt in cp1252: its lines, in its encoding
    (workspace / "customers.txt").write_bytes("José;Zürich\nAnaïs;Genève\n".encode("cp1252"))
    shown = await execute_python("print([line for line in customers if 'Zürich' in line])", ctx)
    assert "customers = open('customers.txt', encoding='cp1252').read().splitlines()" in shown
    assert "['José;Zürich']" in shown
    # ZhAverageScore, run 19: `for row in scores: int(row[1])`: rows as lists, without the header row
    (workspace / "scores.csv").write_text("姓名,分数\n张伟,88\n王芳,92\n", encoding="utf-8")
    shown = await execute_python("total = 0\nfor row in scores:\n    total += int(row[1])\n"
                                 "print(total / len(scores))", ctx)
    assert "import csv; scores = list(csv.reader(open('scores.csv', encoding='utf-8')))[1:]" in shown
    assert shown.endswith("--- stdout ---\n90.0")
    # WordCount: `len(essay_text.split())` with essay.txt
    (workspace / "essay.txt").write_text("A few words.\n")
    shown = await execute_python("print(len(essay_text.split()))", ctx)
    assert "essay_text = open('essay.txt', encoding='utf-8').read()" in shown and shown.endswith("--- stdout ---\n3")
    # run again, it can fail again: what it failed on then is shown, after what was added
    with pytest.raises(ToolError) as again:
        await execute_python("print(len(essay_text.split()) + missing)", ctx)
    assert str(again.value).startswith("Note: your program used essay_text without defining it")
    assert "NameError: name 'missing' is not defined" in str(again.value)
    for code in ("print(total)", "print(my_essay)", "print(essayist)"):  # no file's name: nothing to read
        with pytest.raises(ToolError) as other:
            await execute_python(code, ctx)
        assert "the workspace has" not in str(other.value) and "task's data" not in str(other.value)
        assert "run again" not in str(other.value)
    # MalformedJson: `for item in items:` for "input.json lists items", in a program that reads no file: the one
    # file the goals give is its data (run 23: told so, with the program written out, it went to the web)
    ctx.goals = ["input.json lists items, each with a price and a qty. Write their total value to total.txt."]
    (workspace / "input.json").write_text('[{"price": 1.5, "qty": 2}]')
    shown = await execute_python("total = 0\nfor item in items:\n    total += item['price'] * item['qty']\n"
                                 "print(total)", ctx)
    assert "used items without defining it" in shown and "items = json.load(open('input.json'" in shown
    assert "--- stdout ---\n3.0\n" in shown
    # not a name the program's loop makes, nor one where it reads a file itself: a note, with the program written out
    with pytest.raises(ToolError) as made:
        await execute_python("import json\nfor item in json.load(open('input.json')):\n    value = item['qty']\n"
                             "print(sum(v for v in values))", ctx)
    assert "run again with" not in str(made.value) and "values is never set in this program" in str(made.value)
    with pytest.raises(ToolError) as data:
        await execute_python("print(len(items))", ctx)
    assert ("Note: items is not defined in this program. If it is the task's data, that is in input.json: read it in "
            "the code first, e.g. import json; items = json.load(open('input.json', encoding='utf-8')).") in str(data.value)
    program = json.loads(str(data.value).split("Your program that way: execute_python(code=", 1)[1][:-1])
    assert "--- stdout ---\n1\n" in await execute_python(program, ctx)
    # pandas and numpy by their usual names too (JoinCsv, run 27: told to import pd, the model never ran it again);
    # here the sandbox has no pandas, and the run again says so
    with pytest.raises(ToolError) as unimported:
        await execute_python("print(pd.DataFrame())", ctx)
    assert "used pd without defining it" in str(unimported.value) and "first:\nimport pandas as pd\n" in str(
        unimported.value)
    assert "No module named 'pandas'" in str(unimported.value)


async def test_a_missing_key_gets_a_note(sandbox: Sandbox, workspace: Path) -> None:
    # InventoryReport: prices.json has an item (doohickey) that inventory.txt does not list
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    with pytest.raises(ToolError) as walked:
        await execute_python("inventory = {'widget': 14}\nprices = {'widget': 2.75, 'doohickey': 12.0}\n"
                             "print(sum(p * inventory[item] for item, p in prices.items()))", ctx)
    assert str(walked.value).endswith("Note: a dict has no key 'doohickey'. If the code walks one dict and looks its "
                                      "keys up in another, walk the one that lists what the task asks for, or take "
                                      ".get(key, 0) where a key may be missing.")
    (workspace / "sales.csv").write_text("region, amount\nnorth, 5\n")
    with pytest.raises(ToolError) as column:
        await execute_python("import csv\nfor row in csv.DictReader(open('sales.csv')):\n    print(row['amount'])", ctx)
    from autogpt.tools.code import hint

    for error in ("KeyError: 'total'", "KeyError: \"['total'] not in index\""):  # JoinCsv's pandas programs
        assert hint("import pandas as pd\ndf = pd.read_csv('orders.csv')\nprint(df[['total']])", error) == (
            "Note: the DataFrame has no column 'total'. Print its columns (print(df.columns)) and use a name it has, "
            "or make the column first.")
    assert str(column.value).endswith("Note: the rows have no column 'amount'. Print the column names as they are "
                                      "(print(list(row)) for a row) and use one exactly as printed: a space after a "
                                      "comma is part of the name.")


async def test_len_of_a_csv_reader_gets_a_note(sandbox: Sandbox, workspace: Path) -> None:
    # ZhAverageScore, run 15: len(csv.reader(open('scores.csv'))) in three programs
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "scores.csv").write_text("姓名,分数\n张伟,88\n", encoding="utf-8")
    with pytest.raises(ToolError) as failed:
        await execute_python("import csv\nprint(len(csv.reader(open('scores.csv', encoding='utf-8'))))", ctx)
    note = str(failed.value).rsplit("\n", 1)[1]
    assert note.startswith("Note: a csv reader gives its rows one at a time and has no len(). Make a list first: ")
    example = note.split("Make a list first: ", 1)[1].split(" (the header", 1)[0]  # it works, as it is
    assert "2" in await execute_python(f"import csv\nf = open('scores.csv', encoding='utf-8')\n{example}\n"
                                       "print(len(rows))", ctx)
    with pytest.raises(ToolError, match="an open file gives its lines one at a time"):
        await execute_python("print(len(open('scores.csv')))", ctx)


async def test_broken_json_that_python_reads_is_read_so_and_the_program_run_again(sandbox: Sandbox,
                                                                                  workspace: Path) -> None:
    # MalformedJson: the model ran its json.load() program unchanged again and again, ignoring the note and the
    # program written out for it
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "input.json").write_text('[\n  {"price": 1.10, "qty": 12,},\n  {"price": 0.5, "qty": 2},\n]\n')
    program = ("import json\nwith open('input.json', encoding='utf-8') as f:\n    items = json.load(f)\n"
               "print(round(sum(i['price'] * i['qty'] for i in items), 2))")
    shown = await execute_python(program, ctx)
    assert shown.startswith("Note: input.json is not valid JSON (json.load fails on it), but Python's reader takes it "
                            "(a comma before } or ] is fine there), so your program was run again with "
                            "ast.literal_eval(f.read()) in place of json.load(f).\n\nExit code: 0")
    assert shown.endswith("--- stdout ---\n14.2")
    # with true, false or null, Python's reader does not take it: the note, with the repair to make
    (workspace / "input.json").write_text('[\n  {"price": 1.10, "qty": 12, "ok": true,},\n]\n')
    with pytest.raises(ToolError) as broken:
        await execute_python(program, ctx)
    assert "Note: the text is not valid JSON, so json.load() will fail every time." in str(broken.value)
    assert "repair it in code instead: text = re.sub(r',\\s*([}\\]])', r'\\1', text)" in str(broken.value)
    assert "was run again" not in str(broken.value)
    example = str(broken.value).split("import ast, then ", 1)[1].split(" (if the text", 1)[0]
    assert example == "data = ast.literal_eval(open('input.json', encoding='utf-8').read())"


async def test_a_failed_assert_is_named_in_the_result(sandbox: Sandbox, workspace: Path) -> None:
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "duration.py").write_text("def parse_duration(text):\n    return 0\n")
    with pytest.raises(ToolError) as failed:
        await execute_python("from duration import parse_duration\nassert parse_duration('45s') == 45\nprint('ok')",
                             ctx)
    # what the left side gave, as pytest says it (Slugify's model replaced a right function with a wrong one)
    assert "AssertionError: got 0\n" in str(failed.value)
    assert str(failed.value).endswith("Note: the assert on line 2 failed: parse_duration('45s') gave 0, not 45. Fix "
                                      "the code it tests so that it gives 45.")
    (workspace / "slugify.py").write_text("import re\ndef slugify(text):\n    return re.sub('[^a-z0-9]', '-', text)\n")
    code = ("from slugify import slugify\ncalls = []\ndef slug(t):\n    calls.append(t)\n    return slugify(t)\n"
            "assert slug('Ünï, Code') == '-n----ode'\nassert calls == ['Ünï, Code']\nassert slug('a') == 'a'\n"
            "assert len(calls) == 2\nassert calls == ['x'], 'own message'\n")
    with pytest.raises(ToolError) as second:  # the left side runs once; lines and messages of its own stay
        await execute_python(code, ctx)
    assert "AssertionError: own message" in str(second.value) and 'File "<stdin>", line 10' in str(second.value)
    with pytest.raises(ToolError) as first:
        await execute_python(code.replace("'-n----ode'", "'-n--code'"), ctx)
    assert "Note: the assert on line 6 failed: slug('Ünï, Code') gave '-n----ode', not '-n--code'." in \
        str(first.value)
    with pytest.raises(ToolError) as bare:  # not an == comparison: which assert, and what to print
        await execute_python("from duration import parse_duration\nassert parse_duration('45s') > 1\n", ctx)
    assert str(bare.value).endswith("Note: the assert on line 2 failed: assert parse_duration('45s') > 1. Print "
                                    "what it checks to see why.")


async def test_a_pattern_of_the_tested_module_that_finds_nothing_in_the_test_text_is_named(sandbox: Sandbox,
                                                                                             workspace: Path) -> None:
    from autogpt.tools.files import write_file

    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    # ParseDuration, runs 23 and 24: \b between digits and letters never matches, so every call gave 0
    write_file("duration.py", "import re\ndef parse_duration(text):\n    total = 0\n    for n, unit in "
               "re.findall(r'(\\b[0-9]+\\b)([a-z]*)', text):\n        total += int(n) * {'h': 3600, 'm': 60, 's': "
               "1}[unit]\n    return total\n", ctx)
    test = "from duration import parse_duration\nassert parse_duration('1h30m') == 5400\nprint('ok')"
    with pytest.raises(ToolError) as failed:
        await execute_python(test, ctx)
    assert str(failed.value).endswith(
        "Note: the pattern r'(\\b[0-9]+\\b)([a-z]*)' in duration.py finds nothing in '1h30m': re.findall gives [], "
        "so the code never sees its parts. \\b matches only where a letter or digit meets something else, and in "
        "'1h30m' digits and letters touch. Without \\b, re.findall(r'([0-9]+)([a-z]*)', '1h30m') gives [('1', 'h'), "
        "('30', 'm')].")
    # a pattern that finds the parts, and a search for what must not be there, are not named
    write_file("duration.py", "import re\ndef parse_duration(text):\n    if re.search(r'[^0-9hms]', text):\n"
               "        raise ValueError(text)\n    return sum(int(n) for n, u in re.findall(r'(\\d+)([hms])', text))\n",
               ctx)
    with pytest.raises(ToolError) as wrong:
        await execute_python(test, ctx)
    assert "gave 31, not 5400" in str(wrong.value) and "finds nothing" not in str(wrong.value)
    write_file("duration.py", "import re\ndef parse_duration(text):\n    h, m = re.fullmatch(r'(\\d+)h(\\d+)m', text)"
               ".groups()\n    return int(h) * 3600 + int(m) * 60\n", ctx)
    with pytest.raises(ToolError) as unmatched:
        await execute_python(test.replace("'1h30m') == 5400", "'45s') == 45"), ctx)
    assert str(unmatched.value).endswith("Note: the pattern r'(\\d+)h(\\d+)m' in duration.py finds nothing in '45s': "
                                         "re.fullmatch gives None, so the code never sees its parts. Print "
                                         "re.fullmatch(pattern, '45s') and change the pattern until it finds what "
                                         "you mean.")
    # Slugify, run 29: re.sub(r'[^a-z0-9]', '-', text) gave 'hello--world-'; the same module was written three times
    write_file("slugify.py", "import re\ndef slugify(text):\n    return re.sub(r'[^a-z0-9]', '-', text.lower())\n",
               ctx)
    test = "from slugify import slugify\nassert slugify('Hello, World!') == 'hello-world'\nprint('ok')"
    with pytest.raises(ToolError) as doubled:
        await execute_python(test, ctx)
    assert str(doubled.value).endswith(
        "Note: re.sub(r'[^a-z0-9]', '-', ...) in slugify.py puts one '-' for each character it matches, so two such "
        "characters in a row give '--'. With + after it, r'[^a-z0-9]+' matches a whole run at once, and the run "
        "becomes one '-'. Then .strip('-') removes one at the start or the end.")
    write_file("slugify.py", "import re\ndef slugify(text):\n    return re.sub(r'[^a-z0-9]+', '-', text.lower())\n",
               ctx)
    with pytest.raises(ToolError) as trailing:  # a run is one '-' now: only the end is left
        await execute_python(test, ctx)
    assert str(trailing.value).endswith(
        "gave 'hello-world-', not 'hello-world'. Fix the code it tests so that it gives 'hello-world'.\nNote: "
        "'hello-world-' has '-' at its start or end, where 'hello-world' has none: re.sub(r'[^a-z0-9]+', '-', ...) in "
        "slugify.py put it there for a character at the edge. Then .strip('-') removes it: 'hello-world-'.strip('-') "
        "gives 'hello-world'.")


async def test_the_network_note_names_no_read_webpage_call_once_the_web_is_withdrawn(sandbox: Sandbox,
                                                                                      workspace: Path) -> None:
    from autogpt.tools.web import WEB_WITHDRAWN

    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    code = "import urllib.request\nurllib.request.urlopen('https://www.example.com/error-analysis')"
    with pytest.raises(ToolError) as online:
        await execute_python(code, ctx)
    assert 'Next: read_webpage(url="https://www.example.com/error-analysis")' in str(online.value)
    ctx.extras[WEB_WITHDRAWN] = True
    with pytest.raises(ToolError) as withdrawn:
        await execute_python(code, ctx)
    assert "cannot reach any network" in str(withdrawn.value) and "Next: read_webpage" not in str(withdrawn.value)


async def test_failed_code_that_fetches_a_page_already_read_gets_a_note(sandbox: Sandbox, workspace: Path) -> None:
    from autogpt.tools.web import PAGES_READ

    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    ctx.extras[PAGES_READ] = ["http://127.0.0.1:8080/company.html"]
    with pytest.raises(ToolError) as failed:  # WebFact's model did this after reading the page
        await execute_python("import urllib.request\n"
                             "print(urllib.request.urlopen('http://127.0.0.1:8080/company.html').read())", ctx)
    assert "Note: you already read http://127.0.0.1:8080/company.html with read_webpage" in str(failed.value)


@pytest.mark.parametrize(
    ("code", "stderr", "refused"),
    [
        # WebFact's model ran this again and again: pip's error goes to stderr, and the program exits 0
        ("import subprocess\nsubprocess.run(['pip', 'install', 'requests'])", "", True),
        ("import os\nos.system('pip3 install bs4')", "", True),
        ("import subprocess, sys\nsubprocess.check_call([sys.executable, '-m', 'pip', 'install', 'x'])", "", True),
        ("print('done')", "error: externally-managed-environment\n", True),
        # the words in a file or on screen start nothing
        ("open('README.md', 'w').write('Install it: pip install slugify\\n')", "", False),
        ("print('pip install requests')", "", False),
    ],
)
def test_code_that_runs_pip_fails_even_when_it_exits_0(code: str, stderr: str, refused: bool) -> None:
    from autogpt.tools.code import INSTALL_NOTE, outcome

    result = SandboxResult(0, "", stderr, 0.1)
    if not refused:
        assert outcome(result, 10, code).startswith("Exit code: 0")
        return
    with pytest.raises(ToolError) as failed:
        outcome(result, 10, code)
    assert failed.value.rest and INSTALL_NOTE in str(failed.value)


@needs_bwrap
async def test_a_test_file_runs_with_pytest_where_the_sandbox_has_it(workspace: Path) -> None:
    # ParseDuration's model wrote pytest tests and ran the file: as a script it only defines the tests
    (workspace / "slug.py").write_text("def slug(t):\n    return t.lower().replace(' ', '_')\n")
    (workspace / "test_slug.py").write_text("from slug import slug\n\ndef test_lower():\n    assert slug('AB') == 'ab'\n"
                                            "\ndef test_dash():\n    assert slug('a b') == 'a-b'\n")
    with_pytest = create_sandbox(limits=LIMITS, python=sys.executable)  # autogpt's own Python has pytest
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


async def test_a_printed_result_with_the_asked_file_missing_gets_a_note(sandbox: Sandbox, workspace: Path) -> None:
    # ZhAverageScore: the model printed 平均分: 79.87, then ran seven more programs and never wrote average.txt
    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["读取 scores.csv，计算平均分，把结果写入 average.txt（只写这个数字）。"]
    out = await execute_python("print('平均分: 79.87')", ctx)
    assert out.endswith("Note: this program wrote no file, and average.txt, which the task asks for, does not "
                        "exist yet. If the output above is the result, write it there now: "
                        'write_file(path="average.txt", content=...) with only what the task asks for.')
    wrote = await execute_python("open('notes.txt', 'w').write('x')\nprint('79.87')", ctx)  # it wrote a file
    (workspace / "average.txt").write_text("79.87")
    done = await execute_python("print('79.87')", ctx)  # the file is there
    assert "Note:" not in wrote and "Note:" not in done


async def test_once_every_asked_file_exists_the_step_that_made_it_says_finish_is_next(sandbox: Sandbox,
                                                                                       workspace: Path) -> None:
    # WordCount: the model wrote 307 to answer.txt, went on, and overwrote it with the number of characters
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Write the greeting to hello.txt and the count of words in essay.txt to answer.txt."]
    done = "Note: every file the task asks for exists now (hello.txt, answer.txt). If they hold what the goals ask"
    assert done not in write_file("hello.txt", "Hello", ctx)  # answer.txt is still missing
    assert done not in await execute_python("open('notes.txt', 'w').write('x')", ctx)
    shown = await execute_python("open('answer.txt', 'w').write('307')\nprint(307)", ctx)
    assert done in shown
    ctx.observations.append(shown)  # as the loop does
    assert done in (wrote := write_file("answer.txt", "307", ctx))  # a number the program showed
    ctx.observations.append(wrote)
    assert done not in write_file("answer.txt", "308", ctx)  # a number nothing showed is not done yet
    assert done not in write_file("notes.txt", "scratch", ctx)  # not a file the task asks for
    # FilterRows: the input is not a file to make, and a table with only its header row is not done
    ctx.goals = ["orders.csv has the columns id and status. Write the rows whose status is shipped to shipped.csv."]
    (workspace / "orders.csv").write_text("id,status\n1,shipped\n2,open\n")
    assert write_file("shipped.csv", "id,status", ctx).endswith("Note: shipped.csv holds only a header row so far: "
                                                                "the rows the goals ask for are still to be written.")
    assert write_file("shipped.csv", "id,status\n1,shipped\n", ctx).endswith(
        "Note: every file the task asks for exists now (shipped.csv). If they hold what the goals ask, the task is "
        "done: call finish.")
    ctx.goals = ["Write slug.py with a function slug(text), and the tests in test_slug.py"]  # code is tested first
    assert "Note:" not in write_file("slug.py", "def slug(t):\n    return t\n", ctx)  # test_slug.py is missing
    assert write_file("test_slug.py", "from slug import slug\n", ctx).endswith(
        'Note: test_slug.py is written, not yet run. Next, run test_slug.py: execute_python_file(path="test_slug.py").')
    assert write_file("slug.py", "def slug(t):\n    return t.lower()\n", ctx).endswith(
        'Note: slug.py is written, not yet run. Next, run test_slug.py: execute_python_file(path="test_slug.py").')
    # StackClass: a whole, working stack.py at the first step, then written twice more until the time ran out
    ctx.goals = ["Write a Python module stack.py with a class Stack that has push(item) and pop()."]
    assert write_file("stack.py", "class Stack:\n    def push(self, item): ...\n", ctx).endswith(
        "Note: stack.py is written, not yet run. Next, test it in a separate program, not in stack.py: "
        "execute_python(code=\"from stack import Stack\\nassert ...\\nprint('ok')\"), with an assert for each thing "
        "the task asks. Finish when it prints ok.")
    # StackClass, run 15: a module that compiles is not replaced by code that does not
    with pytest.raises(ToolError, match=r"this code does not compile \(IndentationError: .*\), and it would replace "
                                        r"stack.py, which defines Stack, push now"):
        write_file("stack.py", "class Stack:\n    def push(self, item):\n        # to do\n", ctx)
    (workspace / "stack.py").unlink()
    # Slugify and ParseDuration: a stub whose body is a comment, written, then sent back cut off with "…"
    with pytest.raises(ToolError) as refused:
        write_file("stack.py", "class Stack:\n    def push(self, item):\n        # to do\n", ctx)
    assert str(refused.value) == (
        "Nothing was written: this code does not compile (IndentationError: expected an indented block after "
        "function definition on line 2 (line 3)). Write stack.py again with the whole code, so that it compiles: "
        "every def needs a body that does the work.")
    assert not (workspace / "stack.py").exists()
    (workspace / "stack.py").write_text("class Stack:\n    def push(self, item):\n        # to do\n")  # a program's
    from autogpt.tools.untested import import_line

    assert import_line(ctx, "stack.py") == "from stack import Stack"  # its names as written, though it won't parse
    # ParseDuration, run 19: the reply's text ended at the double quote of raise ValueError(f"...
    (workspace / "stack.py").unlink()
    with pytest.raises(ToolError) as refused:
        write_file("stack.py", "class Stack:\n    def pop(self):\n        raise ValueError(f", ctx)
    assert str(refused.value).endswith(
        "every def needs a body that does the work.\nNote: the code stops at 'raise ValueError(f': the double quote "
        "that came next ended the text of your reply there, and the rest was lost. In the code, use single quotes "
        "('...'), or write a double quote inside a reply's text as \\\".")
    # a "\n" inside a string that arrived as a line break is mended, as in execute_python's code
    write_file("lines.py", "def join(items):\n    return '\n'.join(items)\n", ctx)
    assert (workspace / "lines.py").read_text() == "def join(items):\n    return '\\n'.join(items)\n"
    # ParseDuration, run 23: r'(\b[0-9]+\b)' sent as JSON "\b" arrived as backspaces, and re was never imported
    written = write_file("parts.py", "def parts(text):\n    return re.findall(r'(\b[0-9]+\b)([a-z]*)', text)\n", ctx)
    assert written.endswith("Note: parts.py uses re without importing it, so import re was put at its top.")
    assert (workspace / "parts.py").read_text() == ("import re\ndef parts(text):\n"
                                                    "    return re.findall(r'(\\b[0-9]+\\b)([a-z]*)', text)\n")
    assert "[('12', ''), ('7', '')]" in await execute_python("from parts import parts\nprint(parts('12 7'))", ctx)
    assert "['ab']" in await execute_python("import re\nprint(re.findall(r'\ba\\w', 'x ab'))", ctx)  # the same
    assert "Note:" not in write_file("words.py", "import re\ndef words(t):\n    return re.findall(r'\\w+', t)\n", ctx)
    with pytest.raises(ToolError, match="the code stops at 'print[(]'"):
        await execute_python("x = 1\nprint(", ctx)
    with pytest.raises(ToolError, match=r"the code stops at \"print\(f'widget: \{totals\[\""):  # InventoryReport, run 25
        await execute_python("totals = {'widget': 1}\nprint(f'widget: {totals[", ctx)
    with pytest.raises(ToolError) as failed:
        await execute_python("x = (1,\n", ctx)  # a program cut after a comma, no quote: it stops at "x = (1,"
    assert "the code stops at 'x = (1,'" in str(failed.value)
    with pytest.raises(ToolError) as failed:
        await execute_python("print(1))", ctx)  # not cut off: no such note
    assert "stops at" not in str(failed.value)
    write_file("stack.py", "class Stack:\n    def push(self, item): ...\n", ctx)
    await execute_python("import stack\nprint('ok')", ctx)
    assert "Note:" not in write_file("notes.txt", "stack works", ctx)  # not code, not asked: nothing to say
    # ParseDuration: the examples the goals give, written out as the test (told "an assert for each thing the task
    # asks", its model wrote duration.py twice and never ran it)
    ctx.goals = ["Write a Python module duration.py with a function parse_duration(text) that returns seconds. "
                 "Examples: '1h30m' -> 5400, '45s' -> 45. Anything else must raise ValueError."]
    note = write_file("duration.py", "def parse_duration(text):\n    return 5400 if 'h' in text else 45\n", ctx)
    call = note.split("in a separate program (not in duration.py): execute_python(code=", 1)[1]
    code = json.loads(call.split("). Add an assert for anything else the task asks.", 1)[0])
    assert code == ("from duration import parse_duration\nassert parse_duration('1h30m') == 5400\n"
                    "assert parse_duration('45s') == 45\nprint('ok')")
    assert (await execute_python(code, ctx)).split("--- stdout ---\n", 1)[1].startswith("ok")


def test_the_examples_the_goals_give_become_asserts() -> None:
    from autogpt.tools.untested import example_asserts

    slugify = ("Write slugify.py with a function slugify(text) that turns text into a URL slug. Examples: "
               "slugify('Hello, World!') == 'hello-world', slugify('!!!') == ''.")
    assert example_asserts(slugify, ["slugify"]) == ["assert slugify('Hello, World!') == 'hello-world'",
                                                     "assert slugify('!!!') == ''"]
    assert example_asserts("写一个函数 slugify(text)：slugify('A B') 返回 'a-b'。", ["slugify"]) == [
        "assert slugify('A B') == 'a-b'"]
    assert example_asserts(slugify, ["other"]) == []  # only for what the module defines
    # bare examples only when the goals name one function: with two, "'x' -> 1" could be either's
    two = "Write f.py with a function to_int(text) and a function to_float(text). Examples: '3' -> 3."
    assert example_asserts(two, ["to_int", "to_float"]) == []
    assert example_asserts("a function f(x). Examples: f(1) == (2", ["f"]) == []  # not Python: left out


async def test_rows_typed_for_a_computing_goal_before_any_program_ran_are_not_called_done(sandbox: Sandbox,
                                                                                         workspace: Path) -> None:
    # JoinCsv: the model typed the orders' rows into customer_totals.csv and was told every file existed
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["orders.csv has the columns customer_id and amount. Write customer_totals.csv with the sum of the "
                 "amounts of each customer."]
    (workspace / "orders.csv").write_text("customer_id,amount\nC01,5\nC01,7\n")
    ctx.observations.append((workspace / "orders.csv").read_text())  # it read the file: its numbers are grounded
    assert "Note:" not in write_file("customer_totals.csv", "customer_id,total\nC01,5\nC01,7\n", ctx)
    ran = await execute_python("open('customer_totals.csv', 'w').write('customer_id,total\\nC01,12\\n')", ctx)
    assert "every file the task asks for exists now (customer_totals.csv)" in ran
    ctx.observations.append(ran)  # as the loop does
    # typed after a program ran: done only with numbers a program showed (not the goals' "0 for no orders")
    assert "Note:" not in write_file("customer_totals.csv", "customer_id,total\nC01,12\nC02,0\n", ctx)
    assert "exists now" in write_file("customer_totals.csv", "customer_id,total\nC01,12\n", ctx)


def test_a_number_typed_for_a_web_goal_is_to_be_found_on_the_pages_not_computed(workspace: Path) -> None:
    # WebFollowLink: 12 months typed before the warranty page was read; told to compute it, the model wrote
    # programs that called read_webpage
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Start at http://127.0.0.1:8/index.html and find out how many months of warranty the X2 has. "
                 "Write only that number to answer.txt."]
    write_file("answer.txt", "12", ctx)
    with pytest.raises(ToolError) as refused:
        finish("Wrote the number of months.", ctx)
    assert "answer.txt holds 12, but no command you ran showed that number" in str(refused.value)
    assert "Next, find it on the pages: read the page that tells it (read_webpage on a link" in str(refused.value)
    assert "execute_python" not in str(refused.value)
    # run 11: read on warranty.html, 30 is found, not computed: done, and finish asks for no program
    ctx.observations.append("Page: http://127.0.0.1:8/warranty.html\nThe Orbit X2 is covered for 30 months.")
    ctx.sandbox = object()  # as if code could run: no program has
    assert "exists now" in write_file("answer.txt", "30", ctx)
    assert finish("Wrote 30.", ctx) == "Wrote 30."
    ctx.sandbox, ctx.extras = None, {}
    # run 10: the model typed 12 after reading the home page, which named warranty.html
    from autogpt.tools.registry import LINKS, PAGES_READ

    ctx.extras[PAGES_READ] = ["http://127.0.0.1:8/index.html"]
    ctx.extras[LINKS] = {"http://127.0.0.1:8/index.html": ["http://127.0.0.1:8/products.html",
                                                          "http://127.0.0.1:8/warranty.html"]}
    assert write_file("answer.txt", "24", ctx).endswith(
        "Note: no page you read shows 24: typed numbers are often wrong. The page http://127.0.0.1:8/warranty.html "
        'may tell it: read it next, read_webpage(url="http://127.0.0.1:8/warranty.html").')


def test_a_number_from_the_sentence_that_fits_the_goals_less_is_asked_about_once(workspace: Path) -> None:
    # WebFollowLink, run 15: read "...Orbit X1 lasts 18 months. ...Orbit X2 lasts 30 months." and wrote 18 for the X2
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Start at the web page http://127.0.0.1:8/index.html and find out how many months of warranty the "
                 "Orbit X2 camera comes with. Write only that number of months to a file named answer.txt."]
    ctx.observations.append("Page: http://127.0.0.1:8/warranty.html\n\nEach camera is covered from the day of "
                            "purchase. The warranty of the Orbit X1 lasts 18 months. The warranty of the Orbit X2 "
                            "lasts 30 months.\n\nBatteries are covered for 6 months.")
    write_file("answer.txt", "18", ctx)
    with pytest.raises(ToolError) as refused:
        finish("Wrote 18 months of warranty to answer.txt.", ctx)
    assert str(refused.value) == (
        'Not finished: answer.txt holds 18, which the page gives in "The warranty of the Orbit X1 lasts 18 months.", '
        'but this sentence of the pages fits the goals\' words better: "The warranty of the Orbit X2 lasts 30 '
        'months.". If that is what the goals ask about, write its number to answer.txt; if 18 is right, call finish '
        "again.")
    assert finish("18 is right.", ctx) == "18 is right."  # asked once
    # the number of the sentence that fits best passes at once
    ctx.extras.pop("finish_evidence_warned")
    write_file("answer.txt", "30", ctx)
    assert finish("Wrote 30.", ctx) == "Wrote 30."
    # a sentence unlike it is not asked about: WebFact's year is in one about the founding, its chief executive in
    # another that names 2019 and more of the goals' words
    ctx.extras.pop("finish_evidence_warned")
    ctx.goals = ["Read the web page http://127.0.0.1:8/company.html and write the full name of the company's chief "
                 "executive and the year the company was founded to a file named answer.txt."]
    ctx.observations = ["Page: http://127.0.0.1:8/company.html\n\nThe company was founded in 1994 in Tromsø, Norway. "
                        "Since 2019 the company has been led by its chief executive, Ingrid Halvorsen."]
    write_file("answer.txt", "Ingrid Halvorsen, 1994", ctx)
    assert finish("Wrote the name and the year.", ctx) == "Wrote the name and the year."
    # in Chinese, too
    ctx.extras.pop("finish_evidence_warned", None)
    ctx.goals = ["打开 http://127.0.0.1:8/index.html，找出 Orbit X2 相机的保修期是多少个月，只把这个数字写入 answer.txt。"]
    ctx.observations = ["Page: http://127.0.0.1:8/zh.html\n\nOrbit X1 相机的保修期为 18 个月。Orbit X2 相机的保修期为 "
                            "30 个月。"]
    write_file("answer.txt", "18", ctx)
    with pytest.raises(ToolError, match="Orbit X2 相机的保修期为 30 个月"):
        finish("写好了。", ctx)


def test_finishing_with_a_table_that_holds_only_its_header_is_refused_once(workspace: Path) -> None:
    # FilterRows: the model wrote shipped.csv's header row twice, then finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["orders.csv has the columns order_id and status. Write a file named shipped.csv that contains the "
                 "header row and only the rows whose status is exactly shipped."]
    (workspace / "orders.csv").write_text("order_id,status\n1,shipped\n2,open\n")
    write_file("shipped.csv", "order_id,status", ctx)
    with pytest.raises(ToolError) as refused:
        finish("Wrote the header row to shipped.csv.", ctx)
    assert str(refused.value) == (
        "Not finished: shipped.csv holds only its header row, not the rows the goals ask for. Next, write them: "
        "execute_python with a program that reads orders.csv (csv.DictReader), keeps the rows the goals ask for "
        "and writes the header and those rows to shipped.csv. If the table really has no rows, call finish again.")
    assert finish("No order is shipped.", ctx) == "No order is shipped."  # asked once
    ctx.extras.clear()
    write_file("shipped.csv", "order_id,status\n1,shipped\n", ctx)
    assert finish("Done.", ctx) == "Done."  # rows: nothing to ask


def test_finishing_before_anything_is_computed_asks_for_a_program_not_a_typed_file(sandbox: Sandbox,
                                                                                   workspace: Path) -> None:
    # JoinCsv, run 29: finished right after reading the two tables; told to write_file the missing table, it typed
    # made-up totals
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["customers.csv has the columns customer_id and name; orders.csv has the columns customer_id and "
                 "amount. Write a file named customer_totals.csv with the header name,total and one row for every "
                 "customer: the name and the sum of the amounts of their orders."]
    (workspace / "customers.csv").write_text("customer_id,name\nC01,Amara\n")
    (workspace / "orders.csv").write_text("customer_id,amount\nC01,2.5\n")
    with pytest.raises(ToolError) as refused:
        finish("All goals are done, so I finish.", ctx)
    assert str(refused.value) == (
        "Not finished: customer_totals.csv does not exist in the workspace, and no program has run in this task, which "
        "asks for something computed. Next, compute it with execute_python (a program that reads customers.csv and "
        "orders.csv, works it out, prints it and writes it to customer_totals.csv). If that cannot be done, call "
        "finish again and say why.")
    ctx.goals = ["Write a haiku about autumn to haiku.txt."]  # nothing to compute: write it
    with pytest.raises(ToolError, match=r'Next, write it: write_file\(path="haiku.txt", content=...\)'):
        finish("Done.", ctx)


def test_a_table_whose_header_differs_from_the_one_the_goals_give_is_not_done(workspace: Path) -> None:
    # JoinCsv: the model's program wrote customer_totals.csv with the header "amount"; told every file existed, it
    # finished
    from autogpt.tools.core import asked_header, finish, wrong_header
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["customers.csv has the columns customer_id, name and city; orders.csv has the columns order_id, "
                 "customer_id and amount. Write a file named customer_totals.csv with the header name,total and one "
                 "row for every customer in customers.csv."]
    (workspace / "customers.csv").write_text("customer_id,name,city\nC01,Amara,Lyon\n")
    (workspace / "orders.csv").write_text("order_id,customer_id,amount\n1,C01,2.5\n")
    assert asked_header(ctx) == ("customer_totals.csv", ["name", "total"])
    assert write_file("customer_totals.csv", "amount\n2.5\n", ctx).endswith(
        "Note: customer_totals.csv begins with the header row amount, but the goals ask for name,total. Write it "
        "again with that header row and the rows the goals ask for under it.")
    with pytest.raises(ToolError) as refused:
        finish("Wrote customer_totals.csv.", ctx)
    assert str(refused.value).startswith("Not finished: customer_totals.csv begins with the header row amount, but "
                                         "the goals ask for name,total. Next, write customer_totals.csv again")
    with pytest.raises(ToolError) as again:  # the typed 2.5 is asked about next; the header only once
        finish("Done.", ctx)
    assert "header" not in str(again.value)
    # run 24: every asked column and more (the customers' table with a total column added)
    assert write_file("customer_totals.csv", "customer_id,name,city,total\nC01,Amara,Lyon,2.5\n", ctx).endswith(
        "It has every column asked and more: keep only name,total (with pandas, df[['name', 'total']].to_csv(..., "
        "index=False); with the csv module, write only those values of each row).")
    ctx.extras.clear()
    assert "header" not in write_file("customer_totals.csv", '"Name", "Total"\nAmara,2.5\n', ctx)  # case, quotes
    assert wrong_header(ctx) is None
    # "the same header" as the one table it reads (SortCsv); no header given: nothing to check
    ctx.goals = ["employees.csv has the columns name and salary. Write a file named sorted.csv with the same header "
                 "and the same rows, sorted by salary."]
    (workspace / "employees.csv").write_text("\ufeffname,salary\nAda,3\n")
    assert asked_header(ctx) == ("sorted.csv", ["name", "salary"])
    ctx.goals = ["orders.csv has the columns id and status. Write shipped.csv with the header row and the rows whose "
                 "status is shipped."]
    assert asked_header(ctx) is None
    ctx.goals = ["读取 scores.csv，把及格的学生写入 pass.csv，表头为 姓名,分数。"]
    assert asked_header(ctx) is None  # the names must be ASCII words: a Chinese header is left alone


async def test_an_empty_result_file_is_not_done_and_finishing_with_it_is_refused_once(sandbox: Sandbox,
                                                                                      workspace: Path) -> None:
    # Latin1Encoding: the model's second program matched no line and wrote an empty zurich.txt; it was told every
    # file existed, and finished
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["customers.txt lists one customer per line in the form name;city. Write the names of all customers "
                 "whose city is Zürich to a file named zurich.txt, one name per line."]
    (workspace / "customers.txt").write_text("José;Zürich\nAnaïs;Genève\n", encoding="cp1252")
    ran = await execute_python("open('zurich.txt', 'w').write('\\n')", ctx)
    assert ran.endswith("Note: zurich.txt is empty: it holds nothing yet. Write what the goals ask for to it (when a "
                        "program wrote it, check what the program matched: maybe nothing did).")
    ctx.observations.append(ran)
    with pytest.raises(ToolError) as refused:
        finish("All goals are done.", ctx)
    assert str(refused.value).startswith("Not finished: zurich.txt is empty, but the task asks for it to hold a result.")
    assert finish("No customer lives in Zürich.", ctx) == "No customer lives in Zürich."  # asked once
    ctx.extras.clear()
    ctx.goals = ["Create an empty file named zurich.txt."]  # asked to be empty: nothing to say
    assert "is empty" not in await execute_python("open('zurich.txt', 'w').write('')", ctx)
    assert finish("Done.", ctx) == "Done."


def test_typing_computed_numbers_into_a_result_file_says_to_compute_them(workspace: Path) -> None:
    # InventoryReport: the model typed its report's products and total (two wrong), then parsed its own report
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["inventory.txt gives the quantity in stock of each item and prices.json gives unit prices. Write a "
                 "file named report.txt with one line for each item, in the form '<item>: <quantity> x <unit price> = "
                 "<value>', and then a final line 'TOTAL: <sum of all values>' with two decimals."]
    (workspace / "inventory.txt").write_text("widget: 14\nsprocket: 27\n")
    ctx.observations.append("widget: 14\nsprocket: 27\n")  # read_file showed it
    ctx.observations.append('{"widget": 2.75, "sprocket": 0.85}')
    wrote = write_file("report.txt", "widget: 14 x 2.75 = 38.50\nsprocket: 27 x 0.85 = 23.05\nTOTAL: 61.55", ctx)
    assert wrote == ("Wrote 66 characters to report.txt.\nNote: no command showed 38.50, 23.05, 61.55: numbers worked "
                     "out by hand are often wrong. Compute them with execute_python: a program that reads "
                     "inventory.txt, prices.json, works them out, prints them and writes report.txt.")
    ctx.observations.append("38.50\n22.95\n61.45")  # a program printed them
    assert "Note:" not in write_file("report.txt", "widget: 14 x 2.75 = 38.50\nsprocket: 27 x 0.85 = 22.95", ctx)
    assert "Note:" not in write_file("notes.txt", "maybe 12.5", ctx)  # not a file the task asks for


def test_a_refused_text_sent_back_cut_off_is_refused_with_what_to_write_instead(workspace: Path) -> None:
    # ParseDuration: the comments-only duration.py, refused, came back shortened with '…' six times; then the model
    # wrote to "."
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Write a Python module duration.py with a function parse_duration(text) that returns seconds."]
    comments = "# This is a Python module for parsing durations.\n# Usage: parse_duration(text) -> int\n# '45s' -> 45"
    with pytest.raises(ToolError, match="only comments"):
        write_file("duration.py", comments, ctx)
    with pytest.raises(ToolError) as copied:
        write_file("duration.py", comments[:70] + "…", ctx)
    assert str(copied.value) == (
        "Nothing was written: this is the start of a text refused at an earlier step, cut off with '…' as the list "
        "of steps shows it; nothing of it is in any file. Do not copy it: write new, complete text: the Python code "
        "itself, starting with def parse_duration(text): and its body.")
    assert not (workspace / "duration.py").exists()
    with pytest.raises(ToolError) as root:
        write_file(".", "def parse_duration(text):\n    return 0\n", ctx)
    assert str(root.value) == 'Nothing was written: a file name is required, e.g. path="duration.py" (the task ' \
                              'asks for it).'
    write_file("duration.py", "def parse_duration(text):\n    return 0\n", ctx)
    with pytest.raises(ToolError) as written:  # the start of a text that was written: the older refusal
        write_file("duration.py", "def parse_duration(text):\n    return…", ctx)
    assert "The whole text is still in its file" in str(written.value)


def test_a_module_that_imports_itself_is_not_written(workspace: Path) -> None:
    # Slugify: told to test with code that starts with `from slugify import slugify`, the model put it in slugify.py
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Write a Python module slugify.py with a function slugify(text)."]
    for line in ("from slugify import slugify", "import slugify", "    from slugify import *"):
        with pytest.raises(ToolError) as refused:
            write_file("slugify.py", f"{line}\n\ndef slugify(text):\n    return text.lower()\n", ctx)
        assert str(refused.value).startswith(f"Nothing was written: slugify.py would import itself ({line.strip()})")
    assert not (workspace / "slugify.py").exists()
    assert write_file("slugify.py", "import slugify_helpers\nfrom re import sub\n\ndef slugify(text):\n"
                      "    return sub('x', '', text)\n", ctx).startswith("Wrote")
    assert write_file("lib/slug.py", "from lib.slug2 import x\n", ctx).startswith("Wrote")
    with pytest.raises(ToolError, match="would import itself"):
        write_file("lib/slug.py", "from lib.slug import x\n", ctx)


def test_a_result_that_says_nothing_was_found_is_no_answer(workspace: Path) -> None:
    # WebFact: the page named the chief executive and the year; the model wrote "No information available on the
    # web page", was told every file existed, and finished
    from autogpt.tools.core import finish, not_found
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Read the web page http://127.0.0.1:8/company.html and write the full name of the company's chief "
                 "executive and the year the company was founded to a file named answer.txt."]
    wrote = write_file("answer.txt", "No information available on the web page. Search for the leadership.", ctx)
    assert wrote.endswith("Note: answer.txt says 'No information', which is no answer. Look again at what you read "
                          "(the page or file above): the goals ask for what it holds. Write that there.")
    with pytest.raises(ToolError) as refused:
        finish("Wrote the answer.", ctx)
    assert str(refused.value).startswith("Not finished: answer.txt says 'No information', which is no answer.")
    assert finish("The page does not name them.", ctx) == "The page does not name them."  # asked once
    for text, said in (("The founder is not mentioned.", "is not mentioned"), ("页面上没有找到", "没有找到"),
                       ("I couldn't find it", "couldn't find")):
        (workspace / "answer.txt").write_text(text)
        assert not_found(ctx) == ("answer.txt", said)
    for text in ("Ingrid Halvorsen, 1994", "Notable: founded in 1994"):
        (workspace / "answer.txt").write_text(text)
        assert not_found(ctx) is None
    ctx.goals = ["Write 'not found' to answer.txt."]  # the goals ask for those words
    (workspace / "answer.txt").write_text("not found")
    assert not_found(ctx) is None


def test_rewriting_a_module_without_some_of_its_definitions_is_refused_once(workspace: Path) -> None:
    # StackClass: the third write of stack.py kept only __init__ and push, as if writing one method at a time
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    whole = ("class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n"
             "        self.items.append(item)\n\n    def pop(self):\n        return self.items.pop()\n\n"
             "    def __len__(self):\n        return len(self.items)\n")
    write_file("stack.py", whole, ctx)
    part = "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, item):\n        pass\n"
    with pytest.raises(ToolError, match=r"stack.py defines pop, __len__ now, and this text leaves them out") as refused:
        write_file("stack.py", part, ctx)
    assert refused.value.retry and (workspace / "stack.py").read_text() == whole
    write_file("stack.py", whole.replace("return self.items.pop()", "return self.items.pop(-1)"), ctx)  # all kept
    assert write_file("stack.py", part, ctx).startswith("Wrote")  # asked again: the model means it
    assert (workspace / "stack.py").read_text() == part
    (workspace / "broken.py").write_text("def f(:\n")  # code that does not parse (a program wrote it) defines nothing
    assert write_file("broken.py", "x = 1\n", ctx).startswith("Wrote")


def test_a_goals_number_written_alone_as_the_computed_answer_is_typed(sandbox: Sandbox, workspace: Path) -> None:
    # Fibonacci30, run 20: the model wrote F(1)'s 1 to answer.txt at step 1, and nothing asked about it
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["F(1) = 1, F(2) = 1, F(3) = 2. Compute F(30) and write only that number to answer.txt."]
    assert "Note: no command showed 1: numbers worked out by hand" in write_file("answer.txt", "1", ctx)
    assert "Note: no command showed 1, 2: numbers worked out by hand" in write_file("answer.txt", "1\n1, 2", ctx)
    # MissingPath, run 22: 0, then 385.0, then the printed 835.7 appended: "0385.0835.7"
    from autogpt.tools.files import append_file

    with pytest.raises(ToolError, match=r"Nothing was appended: answer.txt holds '1\\n1, 2', numbers you typed"):
        append_file("answer.txt", "832040", ctx)
    assert (workspace / "answer.txt").read_text() == "1\n1, 2"
    assert "no command showed" not in write_file("terms.txt", "F(1) = 1, F(2) = 1", ctx)  # the goals' data
    ctx.goals = ["Write the number 42 to answer.txt."]  # nothing to compute: the goals give it
    assert "no command showed" not in write_file("answer.txt", "42", ctx)


async def test_an_output_with_fewer_lines_than_the_goals_ask_is_not_done(sandbox: Sandbox, workspace: Path) -> None:
    # InventoryReport, run 22: the total line alone replaced the typed report, "every file exists", finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Write a file named report.txt with one line for each item listed in inventory.txt, then a line "
                 "'TOTAL: <sum>'."]
    (workspace / "inventory.txt").write_text("widget: 14\ngadget: 3\n\nsprocket: 27\n")
    ctx.observations.append(await execute_python("print('TOTAL: 61.45')", ctx))
    assert write_file("report.txt", "TOTAL: 61.45", ctx).endswith(
        "Note: report.txt has 1 line, but the goals ask for one for each in inventory.txt, which has 3. None is for "
        "'widget: 14' of inventory.txt. Write every "
        "one: a program that reads inventory.txt and writes a line for each to report.txt.")
    with pytest.raises(ToolError, match="Not finished: report.txt has 1 line, but the goals ask for one for each"):
        finish("Wrote the report.", ctx)
    assert finish("Done.", ctx) == "Done."  # asked once
    ctx.goals = ["Write customer_totals.csv with the header name,total and one row for every customer in "
                 "customers.csv."]
    (workspace / "customers.csv").write_text("id,name\nC1,Amara\nC2,Bruno\n")
    ctx.observations.append("Amara,5\nBruno,0")
    assert "has 1 row, but the goals ask for one for each in customers.csv, which has 2. None is for 'C2,Bruno' of " \
           "customers.csv." in write_file("customer_totals.csv", "name,total\nAmara,5\n", ctx)
    assert "but the goals ask for one for each" not in write_file(
        "customer_totals.csv", "name,total\nAmara,5\nBruno,0\n", ctx)
    # SortCsv, run 23: "the same rows, sorted by salary": its program kept 7 of the 12 and finished
    ctx.goals = ["employees.csv has the columns name and salary. Write a file named sorted.csv with the same header "
                 "and the same rows, sorted by salary from lowest to highest."]
    (workspace / "employees.csv").write_text("name,salary\nA,3\nB,1\nC,2\n")
    out = await execute_python("open('sorted.csv', 'w').write('name,salary\\nB,1\\nC,2\\n')", ctx)
    assert "sorted.csv has 2 rows, but the goals ask for one for each in employees.csv, which has 3" in out
    with pytest.raises(ToolError, match="Not finished: sorted.csv has 2 rows"):
        finish("Wrote sorted.csv.", ctx)
    out = await execute_python("open('sorted.csv', 'w').write('name,salary\\nB,1\\nC,2\\nA,3\\n')", ctx)
    assert "goals ask for one for each" not in out and "exists now" in out


async def test_the_goals_quoted_input_written_as_the_result_is_not_done(sandbox: Sandbox, workspace: Path) -> None:
    # Sha256Hash, run 21: the string to hash written to hash.txt, its digest printed, and finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ['Compute the SHA-256 hash of the UTF-8 string "open-source agents 2024" and write the hexadecimal '
                 'digest to a file named hash.txt.']
    assert write_file("hash.txt", "open-source agents 2024", ctx).endswith(
        "Note: hash.txt holds the text the goals give to work on, not the result they ask for. Compute it with "
        "execute_python: a program that works it out, prints it and writes hash.txt.")
    printed = await execute_python("import hashlib\nprint(hashlib.sha256(b'open-source agents 2024').hexdigest())", ctx)
    assert printed.endswith("Note: this program wrote no file, and hash.txt holds 'open-source agents 2024', the text "
                            "the goals give to work on, not a result. If the output above is the result, write it "
                            'there now: write_file(path="hash.txt", content=...) with only what the task asks for.')
    with pytest.raises(ToolError, match="Not finished: hash.txt holds 'open-source agents 2024', the text the goals "
                                        "give to work on"):
        finish("Wrote the hash to hash.txt.", ctx)
    assert finish("Done.", ctx) == "Done."  # asked once
    ctx.goals = ['Write the sentence "Small steps, checked twice." to a file named motto.txt.']  # nothing to compute
    assert "work on" not in write_file("motto.txt", "Small steps, checked twice.", ctx)


def test_a_long_text_written_in_the_task_is_not_replaced_by_a_short_one_unasked(workspace: Path) -> None:
    # the demo, 2026-12-01: a whole blog post written, read back, then replaced by its third paragraph alone
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    post = "# AI agents\n\n" + "Agents plan, act and check their work. " * 8
    write_file("post.md", post, ctx)
    with pytest.raises(ToolError) as refused:
        write_file("post.md", "Agents can also automate repetitive tasks.", ctx)
    assert str(refused.value).startswith(f"Nothing was written: post.md holds {len(post.strip())} characters you "
                                         "wrote in this task, and this text (42 characters) would replace all of it")
    assert refused.value.retry and (workspace / "post.md").read_text() == post
    with pytest.raises(ToolError, match="would replace all of it"):  # another short text: refused too (demo, 12-02)
        write_file("post.md", "Agents also analyse data.", ctx)
    assert write_file("post.md", "Agents can also automate repetitive tasks.", ctx).startswith("Wrote")  # sent again



async def test_a_program_calling_a_file_command_runs_again_with_it_defined(sandbox: Sandbox, workspace: Path) -> None:
    # Sha256Hash, run 22: the right digest printed, then write_file(path='hash.txt', content=hash) in the program
    ctx = ctx_for(workspace, sandbox)
    code = ("import hashlib\nh = hashlib.sha256(b'abc').hexdigest()\nprint(h)\n"
            "write_file(path='hash.txt', content=h)\nprint(read_file('hash.txt') == h)")
    out = await execute_python(code, ctx)
    assert out.startswith("Note: write_file, read_file are your commands, not Python functions, so your program was "
                          "run again with these lines first, which do what the call meant:\ndef write_file(path, "
                          "content): open(path, 'w', encoding='utf-8').write(content if isinstance(content, str) else "
                          "'\\n'.join(map(str, content)) + '\\n' if isinstance(content, (list, tuple)) else "
                          "str(content))\ndef read_file(path): return open(path, encoding='utf-8').read()\n\nExit code: 0")
    assert out.rstrip().endswith("True") or "True\n" in out
    assert (workspace / "hash.txt").read_text() == hashlib.sha256(b"abc").hexdigest()
    # Latin1Encoding, run 30: a list written with write_file is one item a line, not the list's repr
    await execute_python("write_file(path='names.txt', content=['José Núñez', 'Chloé Dürr'])", ctx)
    assert (workspace / "names.txt").read_text(encoding="utf-8") == "José Núñez\nChloé Dürr\n"


async def test_a_program_that_defines_the_asked_function_is_told_it_lasts_one_run(sandbox: Sandbox,
                                                                                  workspace: Path) -> None:
    # ParseDuration, run 22: five versions of parse_duration in programs, none in duration.py
    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Write a Python module duration.py with a function parse_duration(text) that returns seconds."]
    (workspace / "duration.py").write_text("def parse_duration(text):\n    return 0\n")
    out = await execute_python("from duration import parse_duration\n\ndef parse_duration(text):\n    return 1\n", ctx)
    assert out.endswith("Note: this program defines parse_duration, which the task asks for in duration.py, but only "
                        "while it runs: duration.py is unchanged. Put the definition in duration.py with write_file "
                        "(the whole module), then test it in a separate program.")
    tested = await execute_python("from duration import parse_duration\nprint(parse_duration('1h'))", ctx)
    assert "defines parse_duration" not in tested


async def test_a_program_that_prints_and_writes_nothing_is_told_its_result_is_lost(sandbox: Sandbox,
                                                                                   workspace: Path) -> None:
    # MissingPath, run 21: the sum was set in `total` and never printed; five steps later the time ran out
    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Read data.csv, add up its amount column, and write the total to a file named total.txt."]
    (workspace / "data.csv").write_text("amount\n1.5\n2\n")
    code = ("import csv\nwith open('data.csv') as f:\n    total = sum(float(r['amount']) for r in csv.DictReader(f))\n"
            "count = 2")
    out = await execute_python(code, ctx)
    assert out.endswith("Note: this program printed nothing and wrote no file, so what it worked out is lost now that "
                        "it has ended. Run it again with print(count) at the end (or have it write the result to "
                        "total.txt).")
    (workspace / "total.txt").write_text("3.5")
    assert "printed nothing" not in await execute_python(code, ctx)  # no result file missing: nothing lost


async def test_a_program_printing_less_than_the_typed_lines_is_to_write_them_all(sandbox: Sandbox,
                                                                                  workspace: Path) -> None:
    # InventoryReport, run 18: the program printed only the total, and the model typed the item lines again
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Write report.txt with a line '<item>: <quantity> x <price> = <value>' for each item of "
                 "inventory.txt, then a line 'TOTAL: <sum of all values>'."]
    (workspace / "inventory.txt").write_text("widget: 14\nsprocket: 27\n")
    ctx.observations += ["widget: 14\nsprocket: 27\n", '{"widget": 2.75, "sprocket": 0.85}']  # read_file's
    write_file("report.txt", "widget: 14 x 2.75 = 38.50\nsprocket: 27 x 0.85 = 24.85\nTOTAL: 63.35", ctx)
    printed = await execute_python("print('TOTAL: 61.45')", ctx)
    assert printed.endswith("Note: this program wrote no file and printed 1 number(s), while report.txt holds 3 "
                            "that you typed (38.50, 24.85, 63.35, ...). Next, extend the program: have it compute "
                            "every number of report.txt from the data, print each line, and write the whole of "
                            "report.txt itself (with open('report.txt', 'w') as f: f.write(...)).")
    printed = await execute_python("print(38.5 + 24.85 + 1, 2, 3)", ctx)  # as many as typed: write them there
    assert "If the output above is the result, write it there now" in printed


async def test_a_typed_placeholder_is_not_done_and_a_printed_result_is_to_replace_it(sandbox: Sandbox,
                                                                                     workspace: Path) -> None:
    # PrimeSum: the model wrote 0 to answer.txt, was told every file existed, and never wrote the printed sum
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Compute the sum of all prime numbers below 2000 and write it to answer.txt."]
    assert write_file("answer.txt", "7", ctx).endswith("Note: no command showed 7: numbers worked out by hand are "
                                                       "often wrong. Compute it with execute_python: a program "
                                                       "that works it out, prints it and writes answer.txt.")
    printed = await execute_python("print(277050)", ctx)
    assert printed.endswith('Note: this program wrote no file, and answer.txt still holds 7, which you typed. If the '
                            'output above is the result, write it there now: write_file(path="answer.txt", '
                            'content=...) with only what the task asks for.')
    ctx.observations.append(printed)  # as the loop does with every command's result
    ctx.observations.append(write_file("answer.txt", "277050", ctx))
    assert ctx.observations[-1].endswith("If they hold what the goals ask, the task is done: call finish.")  # done
    assert "Note:" not in (await execute_python("print(277050)", ctx)).split("---")[-1]
    # WordCount: the note quoted the typed 140, and writing 140 again was then "done"
    ctx.goals = ["Count the words in essay.txt and write only the number of words to answer.txt."]
    (workspace / "essay.txt").write_text("one two three\n")
    write_file("answer.txt", "140", ctx)
    counted = await execute_python("print(len(open('essay.txt').read().split()))", ctx)
    assert "answer.txt still holds 140, which you typed" in counted
    ctx.observations.append(counted)
    with pytest.raises(ToolError, match=r"the last program you ran printed 3, and this writes 140"):
        write_file("answer.txt", "140", ctx)  # right after the program printed another number: refused once
    again = write_file("answer.txt", "140", ctx)
    assert "exists now" not in again and "no command showed 140" in again


async def test_broken_json_gets_its_note_whether_the_error_is_raised_or_caught_and_printed(sandbox: Sandbox,
                                                                                          workspace: Path) -> None:
    # MalformedJson: the model caught json's error, printed it (exit 0), and was told to write that down
    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["input.json lists items. Write the total to total.txt."]
    (workspace / "input.json").write_text('[{"price": 2, "qty": 3, "ok": true},]')  # Python's reader fails too
    with pytest.raises(ToolError) as raised:
        await execute_python("import json\njson.load(open('input.json'))", ctx)
    assert "Note: the text is not valid JSON" in str(raised.value)
    caught = await execute_python("import json\ntry:\n    json.load(open('input.json'))\n"
                                  "except json.JSONDecodeError as e:\n    print(f'Error decoding JSON: {e}')", ctx)
    assert "Note: the text is not valid JSON" in caught and "write it there now" not in caught
    assert "not valid JSON" not in await execute_python("print(6)", ctx)


async def test_code_cut_short_with_an_ellipsis_is_not_run(sandbox: Sandbox, workspace: Path) -> None:
    # MalformedJson: the model sent back the list of steps' shortened program, ending "exce…"
    ctx = ctx_for(workspace, sandbox)
    with pytest.raises(ToolError, match="the code ends with '…'"):
        await execute_python("import json\ntry:\n    data = json.load(open('input.json'))\nexce…", ctx)
    assert (await execute_python("print('…')", ctx)).endswith("…")


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
    assert "6.0" in output
    # FilterRows (runs 10, 21, 22): pandas wrote 120.50 as 120.5, and the model then typed the rows by hand
    (tmp_path / "ws" / "orders.csv").write_text("id,status,amount\n1001,shipped,120.50\n1002,pending,75.00\n")
    ctx = ctx_for(tmp_path / "ws", agent.sandbox)
    code = ("import pandas as pd\ndf = pd.read_csv('orders.csv')\n"
            "df[df['status'] == 'shipped'].to_csv('shipped.csv', index=False)")
    output = asyncio.run(Tool(execute_python).call({"code": code}, ctx))
    assert output.startswith("Note: pandas read the table's numbers as numbers and wrote them back changed, so your "
                             "program was run again with dtype=str in pd.read_csv (every value kept as it is written)")
    assert (tmp_path / "ws" / "shipped.csv").read_text() == "id,status,amount\n1001,shipped,120.50\n"
    # a program that also computes: as text, its sum would be '120.5075.00', so it stays as it was, with the note
    code = ("import pandas as pd\ndf = pd.read_csv('orders.csv')\ndf.to_csv('copy.csv', index=False)\n"
            "print(df['amount'].sum())")
    output = asyncio.run(Tool(execute_python).call({"code": code}, ctx))
    assert "195.5" in output and "with their values rewritten ('120.50' became '120.5')" in output
    assert (tmp_path / "ws" / "copy.csv").read_text().endswith("1002,pending,75.0\n")
    # sorted as text, 120.50 would come before 75.00: the rows' order changes, so it stays as it was
    code = ("import pandas as pd\ndf = pd.read_csv('orders.csv')\n"
            "df.sort_values('amount').to_csv('by_amount.csv', index=False)")
    output = asyncio.run(Tool(execute_python).call({"code": code}, ctx))
    assert "with their values rewritten" in output and not output.startswith("Note: pandas")
    assert (tmp_path / "ws" / "by_amount.csv").read_text() == "id,status,amount\n1002,pending,75.0\n1001,shipped,120.5\n"
    # JoinCsv, run 22: the right totals, unsorted; the program with its sort_values line is written out
    ctx.goals = ["Write totals.csv with the header status,total and one row for each status, sorted by total from "
                 "highest to lowest."]
    code = ("import pandas as pd\ndf = pd.read_csv('orders.csv')\n"
            "out = df.groupby('status')['amount'].sum().reset_index(name='total')\nout.to_csv('totals.csv', index=False)")
    output = asyncio.run(Tool(execute_python).call({"code": code}, ctx))
    assert "Note: totals.csv is not sorted by total from highest to lowest" in output
    sorted_code = code.replace("\nout.to_csv", "\nout = out.sort_values('total', ascending=False)\nout.to_csv")
    assert output.endswith(f"Your program that way: execute_python(code={json.dumps(sorted_code)})")
    assert "not sorted" not in asyncio.run(Tool(execute_python).call({"code": sorted_code}, ctx))
    # JoinCsv, runs 24, 26, 28: orders merged into customers, so the customer without orders has no row; the
    # program with the merge made from customers.csv is written out, and it gives that customer a 0
    (tmp_path / "ws" / "customers.csv").write_text("customer_id,name\nC01,Amara\nC02,Bruno\nC03,Carmen\n")
    (tmp_path / "ws" / "orders.csv").write_text("order_id,customer_id,amount\n1,C01,10.5\n2,C03,4\n3,C01,1\n")
    ctx.goals = ["Write customer_totals.csv with the header name,total and one row for every customer in "
                 "customers.csv: the name and the sum of the amounts of their orders (0 for a customer without "
                 "orders)."]
    code = ("import pandas as pd\norders = pd.read_csv('orders.csv')\ncustomers = pd.read_csv('customers.csv')\n"
            "merged = pd.merge(orders, customers, on='customer_id', how='left')\n"
            "merged.groupby('name')['amount'].sum().reset_index(name='total').to_csv('customer_totals.csv', "
            "index=False)")
    output = asyncio.run(Tool(execute_python).call({"code": code}, ctx))
    assert "customer_totals.csv has 2 rows, but the goals ask for one for each in customers.csv" in output
    assert "Write every one" not in output  # run 30: told that first, the model typed the missing row
    assert ("Note: pd.merge(orders, customers, on='customer_id', how='left') keeps only the rows of customers.csv "
            "that have a match (left join)") in output
    merged_code = code.replace("pd.merge(orders, customers,", "pd.merge(customers, orders,")
    assert output.endswith(f"Your program that way: execute_python(code={json.dumps(merged_code)})")
    output = asyncio.run(Tool(execute_python).call({"code": merged_code}, ctx))
    assert "merge" not in output and (tmp_path / "ws" / "customer_totals.csv").read_text() == (
        "name,total\nAmara,11.5\nBruno,0.0\nCarmen,4.0\n")


def test_cli_sandbox_setup_says_why_it_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from autogpt.cli import app

    monkeypatch.setenv("AUTOGPT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("PIP_NO_INDEX", "1")  # pip reads its options from the environment: no download in tests
    result = CliRunner().invoke(app, ["sandbox", "setup", "--package", "no-such-package-autogpt"])
    assert result.exit_code != 0
    assert "Could not install no-such-package-autogpt" in result.output
    assert (tmp_path / "cache" / "sandbox-python" / "bin" / "python").exists()  # the environment itself was made


async def test_a_file_name_written_without_quotes_is_read_and_the_program_run_again(sandbox: Sandbox,
                                                                                   workspace: Path) -> None:
    # MalformedJson, run 15: `for item in input.json:` in four programs, the note to open the file ignored each time
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    (workspace / "input.json").write_text('[\n  {"price": 1.10, "qty": 12,},\n  {"price": 0.5, "qty": 2},\n]\n')
    code = ("total = 0\nfor item in input.json:\n    total += item['price'] * item['qty']\n"
            "print('input.json', round(total, 2))")
    shown = await execute_python(code, ctx)
    assert shown.startswith("Note: input.json without quotes is not the file (Python reads it as a variable), so "
                            "your program was run again with input_json in its place and this line first:\n"
                            "import ast; input_json = ast.literal_eval(open('input.json', encoding='utf-8').read())"
                            "\n\nExit code: 0")
    assert shown.endswith("--- stdout ---\ninput.json 14.2")  # the name in quotes is left as it is
    # a valid .csv: its rows, by json's or csv's reader
    (workspace / "sales.csv").write_text("region,amount\nnorth,5\nsouth,7\n")
    shown = await execute_python("print(sum(int(row['amount']) for row in sales.csv))", ctx)
    assert "import csv; sales_csv = list(csv.DictReader(open('sales.csv', encoding='utf-8')))" in shown
    assert shown.endswith("--- stdout ---\n12")
    # no such file: the note alone, nothing run again
    with pytest.raises(ToolError) as missing:
        await execute_python("for item in orders.json:\n    print(item)", ctx)
    assert "run again" not in str(missing.value)
    assert "Note: orders.json in your code is not the file" in str(missing.value)


def test_a_table_or_code_that_ends_with_an_ellipsis_is_not_written(workspace: Path) -> None:
    # JoinCsv, run 18: its refused rows, sent back changed and cut off ("...,Riga C05,…"), were written
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    for name in ("customer_totals.csv", "data.json", "stack.py"):
        with pytest.raises(ToolError) as cut:
            write_file(name, f"{name}\nAmara Diallo,0\nDmitri Volkov,Riga C05,…", ctx)  # not sent before
        suffix = name.rsplit(".", 1)[1]
        assert str(cut.value) == ("Nothing was written: the text ends with '…', which is how the list of steps "
                                  f"shortens long arguments; a .{suffix} file never ends so. Write the complete text.")
        assert not (workspace / name).exists()
    assert "Wrote" in write_file("story.txt", "And then the lights went out…", ctx)  # prose may
    # JoinCsv, run 21: the first rows of a program's file, as its result showed them, retyped with "[...]"
    with pytest.raises(ToolError, match=r"ends with '\[...\]', which is how a program's result shows only the first"):
        write_file("customer_totals.csv", "name,total\nAmara Diallo,45.5\n[...]", ctx)
    assert "Wrote" in write_file("notes.txt", "He said: [...]", ctx)


def test_the_examples_files_are_not_written_for_a_task_that_asks_for_others(workspace: Path) -> None:
    # JoinCsv, run 18: finished with the system prompt example's reason, was told that was other work, then wrote
    # the example's year.txt with 1889 three times
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["customers.csv and orders.csv: write customer_totals.csv with the header name,total."]
    with pytest.raises(ToolError) as refused:
        write_file("year.txt", "1889", ctx)
    assert str(refused.value) == ("Nothing was written: year.txt is a file of the example in your instructions, not "
                                  "of this task, which asks for customer_totals.csv. Do what the goals ask.")
    assert not (workspace / "year.txt").exists()
    ctx.goals = ["Write the year the Eiffel Tower was finished to year.txt."]  # a task that names it: written
    assert "Wrote" in write_file("year.txt", "1889", ctx)
    ctx.goals = ["Write a haiku about the sea."]  # a task that names no file: any name will do
    assert "Wrote" in write_file("result.txt", "Waves fold into foam", ctx)


def test_the_examples_numbers_are_not_written_into_a_tasks_files_unless_sent_again(workspace: Path) -> None:
    # Run 24: told its finish (the example's, word for word) was other work, FilterRows' model wrote 1889 over
    # shipped.csv and JoinCsv's "year,1889" over customer_totals.csv; InventoryReport's typed "TOTAL: 385.00"
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["inventory.txt gives quantities and prices.json unit prices. Write report.txt with a line for each "
                 "item, then 'TOTAL: <sum>'."]
    (workspace / "inventory.txt").write_text("widget: 14\ngadget: 3\n")
    (workspace / "prices.json").write_text('{"widget": 2.75, "gadget": 19.99}')
    report = "widget: 14 x 2.75 = 38.50\ngadget: 3 x 19.99 = 59.97\nTOTAL: 385.00"
    with pytest.raises(ToolError) as refused:
        write_file("report.txt", report, ctx)
    assert str(refused.value) == (
        "Nothing was written: 385.00 is a number of the example in your instructions (year.txt, result.txt), not of "
        "this task: neither the goals nor any file here has it. Work out what the goals ask from this task's files "
        "(with execute_python for a number) and write that to report.txt. If 385.00 is right, call the command again.")
    assert not (workspace / "report.txt").exists()
    with pytest.raises(ToolError, match="1889 is a number of the example"):
        write_file("report.txt", "year,1889", ctx)
    assert "Wrote" in write_file("report.txt", report, ctx)  # sent again: meant
    assert "Wrote" in write_file("total.txt", "98.47", ctx)  # a number of its own
    (workspace / "counts.txt").write_text("1889 visitors\n")  # a number the task's files have
    assert "Wrote" in write_file("visitors.txt", "1889", ctx)


async def test_a_last_line_left_open_or_closed_with_the_replys_braces_is_closed_and_run_again(sandbox: Sandbox,
                                                                                 workspace: Path) -> None:
    # JoinCsv, run 19: three right programs ended with `writer.writerow([name, total]}}`; WordCount, run 18, with
    # `file.write(str(word_count)}}`
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    shown = await execute_python("import csv, sys\nwriter = csv.writer(sys.stdout)\n"
                                 "for name, total in [('Amara', 5.0)]:\n    writer.writerow([name, total]}}", ctx)
    assert shown.startswith("Note: your program's last line ended with '}' where ')' closes it (the braces that end "
                            "the reply, typed into the code), so it was run again with that line as: "
                            "writer.writerow([name, total])\n\nExit code: 0")
    assert "Amara,5.0" in shown
    assert "word count 3" in await execute_python("count = 3\nprint('word count', str(count)}}", ctx)
    # InventoryReport, run 24: the last line closed, then inventory.txt's data read for `inventory`: both mended
    (workspace / "inventory.txt").write_text("widget: 14\n")
    shown = await execute_python("for item, q in inventory.items():\n    print(item, q * 2", ctx)
    assert "last line left '(' open" in shown and "used inventory without defining it" in shown
    assert "--- stdout ---\nwidget 28" in shown
    # JoinCsv, run 23: the reply ended before the last ')'
    shown = await execute_python("import csv, sys\nwriter = csv.writer(sys.stdout)\n"
                                 "for name, total in [('Amara', 5.0)]:\n    writer.writerow([name, total]", ctx)
    assert shown.startswith("Note: your program's last line left '(' open, so it was run again with that line as: "
                            "writer.writerow([name, total])\n\nExit code: 0") and "Amara,5.0" in shown
    # MissingPath, run 26: `values = line.strip().split(',` (the quote and the parenthesis lost), twice
    shown = await execute_python("total = 0\nfor line in ['1,2', '3,4']:\n    values = line.strip().split(',\n"
                                 "    total += float(values[1])\nprint(total)", ctx)
    assert shown.startswith("Note: a line of your program ended inside a short string, so it was run again with the "
                            "string and its call closed: values = line.strip().split(',')\n\nExit code: 0")
    assert "6.0" in shown
    for code in ("print({'a': 1})", "x = {'a': {'b': 1}}\nprint(x)"):  # braces that belong: nothing to mend
        assert "Note:" not in await execute_python(code, ctx)
    with pytest.raises(ToolError) as other:  # another syntax error: not this mend
        await execute_python("print('a'}}\nprint(", ctx)
    assert "run again" not in str(other.value)


async def test_an_f_string_formatted_with_format_and_a_total_never_started_are_mended(sandbox: Sandbox,
                                                                                      workspace: Path) -> None:
    # InventoryReport, run 24: print(f'TOTAL: {:.2f}'.format(total)), then `total += ...` with no total = 0
    ctx = ToolContext(workspace=Workspace(workspace), sandbox=sandbox)
    shown = await execute_python("total = 2.5\nprint(f'TOTAL: {:.2f}'.format(total))", ctx)
    assert shown.startswith("Note: an f-string used with .format(...) fails (its {} hold no value), so your program "
                            "was run again with that string written without the f.\n\nExit code: 0")
    assert "TOTAL: 2.50" in shown
    code = "for price in [1.5, 2.25]:\n    total += price\n    print(f'{price:.2f}')\nprint(f'TOTAL: {total:.2f}')"
    shown = await execute_python(code, ctx)
    assert shown.startswith("Note: your program adds to total (+=) without setting it first, so it was run again "
                            "with total = 0 before its first use.\n\nExit code: 0") and "TOTAL: 3.75" in shown
    both = await execute_python(code.replace("f'TOTAL: {total:.2f}'", "f'TOTAL: {:.2f}'.format(total)"), ctx)
    assert "written without the f" in both and "total = 0 before" in both and "TOTAL: 3.75" in both
    for other in ("total = 1\ntotal += 1\nprint(totl)", "def add():\n    total += 1\nadd()"):  # set, or local
        with pytest.raises(ToolError) as failed:
            await execute_python(other, ctx)
        assert "run again" not in str(failed.value)


async def test_a_table_of_another_columns_values_or_with_rows_longer_than_its_header_is_not_done(
        sandbox: Sandbox, workspace: Path) -> None:
    # JoinCsv, run 25: grouped by customer_id and renamed it name (C01, C02... as names); later each customer
    # appended with df.to_csv(mode='a', header=False), the index as a first cell; the model finished
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["customers.csv has the columns customer_id, name and city; orders.csv has the columns order_id, "
                 "customer_id and amount. Write customer_totals.csv with the header name,total: each customer's name "
                 "and the sum of their orders."]
    (workspace / "customers.csv").write_text("customer_id,name,city\nC01,Amara,Lyon\nC02,Bruno,Basel\n"
                                             "C03,Carmen,Riga\n")
    (workspace / "orders.csv").write_text("order_id,customer_id,amount\n1,C01,5.5\n2,C02,3\n3,C01,1\n")
    ids = await execute_python("open('customer_totals.csv', 'w').write('name,total\\nC01,6.5\\nC02,3\\n')", ctx)
    assert "Note: customer_totals.csv's column name holds customers.csv's customer_id values (C01, C02...), not " \
           "its name values (Amara, Bruno...). Take the name from customers.csv for each row (look it up by " \
           "customer_id)." in ids
    with pytest.raises(ToolError, match="Not finished: customer_totals.csv's column name holds customers.csv's"):
        finish("Wrote customer_totals.csv.", ctx)
    indexed = await execute_python("open('customer_totals.csv', 'w').write('name,total\\nAmara,6.5\\n0,Bruno,3\\n"
                                   "1,Carmen,0\\n')", ctx)
    assert "Note: customer_totals.csv has rows with 3 cells under a header row of 2 names ('0,Bruno,3' under " \
           "'name,total'). pandas' to_csv writes the index as a first column unless it is given index=False." in indexed
    right = await execute_python("open('customer_totals.csv', 'w').write('name,total\\nAmara,6.5\\nBruno,3,\\n"
                                 "Carmen,0\\n')", ctx)  # an empty last cell is no extra cell
    assert "Note: customer_totals.csv" not in right
    assert finish("Done.", ctx) == "Done."


async def test_a_typed_digest_is_a_made_up_value_like_a_typed_number(sandbox: Sandbox, workspace: Path) -> None:
    # Sha256Hash, run 25: the MD5 of an empty string typed as the digest, the right one printed, then finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ['Compute the SHA-256 hash of the UTF-8 string "open-source agents 2024" and write the hexadecimal '
                 'digest to a file named hash.txt.']
    assert "Note: no command showed d41d8cd98f00b204e9800998ecf8427e" in write_file(
        "hash.txt", "d41d8cd98f00b204e9800998ecf8427e", ctx)
    out = await execute_python("import hashlib\nprint(hashlib.sha256(b'open-source agents 2024').hexdigest())", ctx)
    ctx.observations.append(out)
    assert "Note: this program wrote no file, and hash.txt still holds d41d8cd98f00b204e9800998ecf8427e, which you " \
           "typed. If the output above is the result, write it there now" in out
    with pytest.raises(ToolError, match="Not finished: hash.txt holds d41d8cd98f00b204e9800998ecf8427e, but no "
                                        "command you ran showed"):
        finish("Wrote the SHA-256 hash to hash.txt.", ctx)
    digest = "0ac1cd6b67310cb415c7f72f16d281341a2fdfa9bd7a159374862043abe6ec70"
    assert "no command showed" not in write_file("hash.txt", digest.upper(), ctx)  # shown, in any case
    assert finish("Done.", ctx) == "Done."


def test_a_short_answer_cut_to_part_of_itself_dropping_shown_facts_is_refused_once(workspace: Path) -> None:
    # WebFact, run 25: "Ingrid Halvorsen, 1994" written from the page, read back, then replaced by "1994"; finished
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Read the web page http://127.0.0.1:8/company.html and write the full name of the company's chief "
                 "executive and the year the company was founded to a file named answer.txt."]
    ctx.observations.append("Page: http://127.0.0.1:8/company.html\n\nThe company was founded in 1994. Since 2019 "
                            "it has been led by its chief executive, Ingrid Halvorsen.")
    write_file("answer.txt", "Ingrid Halvorsen, 1994", ctx)
    with pytest.raises(ToolError) as refused:
        write_file("answer.txt", "1994", ctx)
    assert str(refused.value) == (
        "Nothing was written: answer.txt holds 'Ingrid Halvorsen, 1994', and this keeps only part of it, dropping "
        "Ingrid, Halvorsen, which a command showed you. If the goals ask for that too, leave answer.txt as it is "
        "(finish if it is done); if it is meant to go, call the command again.")
    assert "Wrote" in write_file("answer.txt", "1994", ctx)  # sent again: meant
    write_file("answer.txt", "The answer is 1994", ctx)
    assert "Wrote" in write_file("answer.txt", "1994", ctx)  # only words of no fact dropped


def test_a_text_output_without_a_number_where_the_goals_ask_for_one_is_asked_about_once(workspace: Path) -> None:
    # ZhAverageScore, run 25: average.txt held the score rows as Python lists, no average; finished
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, None)
    ctx.goals = ["读取 scores.csv，计算分数的平均值，保留两位小数，写入 average.txt。"]
    (workspace / "scores.csv").write_text("姓名,分数\n张伟,88\n王芳,92\n", encoding="utf-8")
    (workspace / "average.txt").write_text("\"['张伟', '八十八']\"", encoding="utf-8")
    with pytest.raises(ToolError, match=r"Not finished: average.txt holds no number \(.*\), but the goals ask for one"):
        finish("已计算平均值。", ctx)
    assert finish("已计算平均值。", ctx) == "已计算平均值。"  # asked once
    ctx = ctx_for(workspace, None)
    ctx.goals = ["sales.csv has region,amount. Write the name of the region with the highest average to top.txt."]
    (workspace / "sales.csv").write_text("region,amount\nNorth,5\n")
    (workspace / "top.txt").write_text("North")
    assert finish("Done.", ctx) == "Done."  # which one has the highest: a name is the answer


async def test_a_key_that_is_a_value_of_another_column_says_the_fields_were_taken_out_of_order(
        sandbox: Sandbox, workspace: Path) -> None:
    # TopRegion, run 26: region, _, amount = row.split(',') on date,region,amount rows; KeyError '2024-01-03'
    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["sales.csv has the columns date, region and amount. Write the region with the highest total to "
                 "answer.txt."]
    (workspace / "sales.csv").write_text("date,region,amount\n2024-01-03,Metro,10\n2024-01-04,Coastal,20\n")
    code = ("totals = {'Metro': 0, 'Coastal': 0}\nfor row in open('sales.csv').readlines()[1:]:\n"
            "    region, _, amount = row.strip().split(',')\n    totals[region] += float(amount)\n")
    with pytest.raises(ToolError) as failed:
        await execute_python(code, ctx)
    assert ("Note: '2024-01-03' is a value of sales.csv's date column. A row's fields come in the order of its header, "
            "date,region,amount: take each by its place in that order, or read the rows with csv.DictReader and take "
            "each by its name (row['date'], row['region'], row['amount']).") in str(failed.value)
    with pytest.raises(ToolError) as other:
        await execute_python("print({'a': 1}['b'])", ctx)
    assert "is a value of" not in str(other.value)


def test_a_number_without_the_decimals_the_goals_ask_for_is_asked_about_once(workspace: Path) -> None:
    # AverageTemp (the learning benchmark, 2026-12-02): 6.038095238095238 written for "rounded to 1 decimal"
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, None)
    ctx.goals = ["temps.csv has the columns city, day and temp. Write the average of the temp column, rounded to 1 "
                 "decimal, to avg.txt (only the number)."]
    (workspace / "temps.csv").write_text("city,day,temp\nOslo,1,6\n")
    (workspace / "avg.txt").write_text("6.038095238095238")
    ctx.observations.append("6.038095238095238")
    with pytest.raises(ToolError) as refused:
        finish("Done.", ctx)
    assert str(refused.value) == (
        'Not finished: avg.txt holds 6.038095238095238, but the goals ask for numbers with 1 decimal. Write it so: in '
        'Python, f"{value:.1f}" (round(value, 1) drops a trailing 0). If avg.txt is right as it is, call finish again.')
    assert finish("Done.", ctx) == "Done."  # asked once
    (workspace / "avg.txt").write_text("6.0")
    ctx = ctx_for(workspace, None)
    ctx.goals = ["Write the average of temps.csv's temp column, rounded to 1 decimal, to avg.txt."]
    ctx.observations.append("6.0")
    assert finish("Done.", ctx) == "Done."
    ctx = ctx_for(workspace, None)
    ctx.goals = ["读取 scores.csv，计算分数的平均值，保留两位小数，写入 average.txt。"]
    (workspace / "average.txt").write_text("90")
    ctx.observations.append("90")
    with pytest.raises(ToolError, match=r"average.txt holds 90, but the goals ask for numbers with 2 decimals"):
        finish("完成。", ctx)


def test_a_typed_number_written_after_a_program_printed_another_is_refused_once(workspace: Path) -> None:
    # CountHangzhou (the learning benchmark, 2026-12-02): the program printed 13, the next step wrote the typed 10
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["users.csv 有三列：姓名、城市、年龄。统计城市为“杭州”的用户有多少个，把这个数字写入 count.txt（只写数字）。"]
    (workspace / "users.csv").write_text("姓名,城市,年龄\n用户1,杭州,44\n", encoding="utf-8")
    ctx.observations.append("姓名,城市,年龄\n用户1,杭州,44\n")
    write_file("count.txt", "10", ctx)  # typed, nothing printed yet: noted, written
    ctx.observations.append("Exit code: 0\n--- stdout ---\n13\n\nNote: this program wrote no file, and count.txt "
                            "still holds 10, which you typed.")
    with pytest.raises(ToolError) as refused:
        write_file("count.txt", "10", ctx)
    assert str(refused.value) == (
        'Nothing was written: the last program you ran printed 13, and this writes 10, which no command showed. If '
        'that program works out what the goals ask, write what it printed: write_file(path="count.txt", '
        'content="13"). If 10 is right, call the command again.')
    assert "Wrote" in write_file("count.txt", "10", ctx)  # sent again: meant
    assert "Wrote" in write_file("count.txt", "13", ctx)  # what the program printed


def test_data_written_as_given_is_not_asked_about_its_decimals(workspace: Path) -> None:
    # InventoryReport's right report shows prices.json's 7.4 as it is given
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, None)
    ctx.goals = ["inventory.txt gives the quantity in stock of each item and prices.json gives unit prices. Write a "
                 "file named report.txt with one line for each item listed in inventory.txt, in the form '<item>: "
                 "<quantity> x <unit price> = <value>' (value = quantity times unit price, with two decimals), and "
                 "then a final line 'TOTAL: <sum of all values>' with two decimals."]
    (workspace / "inventory.txt").write_text("gizmo: 8\n")
    (workspace / "prices.json").write_text('{"gizmo": 7.4}')
    (workspace / "report.txt").write_text("gizmo: 8 x 7.4 = 59.20\nTOTAL: 59.20")
    ctx.observations.append("gizmo: 8 x 7.4 = 59.20\nTOTAL: 59.20")
    assert finish("Done.", ctx) == "Done."
    (workspace / "report.txt").write_text("gizmo: 8 x 7.4 = 59.2\nTOTAL: 59.2")
    with pytest.raises(ToolError, match=r"report.txt holds 59.2, but the goals ask for numbers with 2 decimals"):
        finish("Done.", ctx)


def test_a_printed_number_cut_short_instead_of_rounded_is_named_so(workspace: Path) -> None:
    # ZhAverageScore, run 27: the program printed 79.86666666666666, and 79.86 was written five times
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["读取 scores.csv（两列：姓名,分数），计算所有学生分数的平均分，保留两位小数，把结果写入 average.txt（只写这个数字）。"]
    (workspace / "scores.csv").write_text("姓名,分数\n张伟,88\n", encoding="utf-8")
    ctx.observations.append("Exit code: 0\n--- stdout ---\n79.86666666666666\n")
    with pytest.raises(ToolError) as refused:
        write_file("average.txt", "79.86", ctx)
    assert str(refused.value) == (
        'Nothing was written: the last program you ran printed 79.86666666666666, and this writes 79.86, which no '
        'command showed (79.86 is 79.86666666666666 cut short, not rounded: rounded to 2 decimals it is 79.87). If '
        'that program works out what the goals ask, write what it printed rounded as they ask: '
        'write_file(path="average.txt", content="79.87"). If 79.86 is right, call the command again.')
    assert write_file("average.txt", "79.86", ctx).endswith(
        'Note: 79.86 is 79.86666666666666 cut short, not rounded: rounded to 2 decimals it is 79.87. Write the rounded '
        'number (in Python, f"{value:.2f}").')
    rounded = write_file("average.txt", "79.87", ctx)
    assert "cut short" not in rounded and "no command showed" not in rounded


def test_finish_names_a_number_cut_short_instead_of_rounded(workspace: Path) -> None:
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, None)
    ctx.goals = ["读取 scores.csv，计算平均分，保留两位小数，把结果写入 average.txt。"]
    (workspace / "scores.csv").write_text("姓名,分数\n张伟,88\n", encoding="utf-8")
    ctx.observations.append("Exit code: 0\n--- stdout ---\n79.86666666666666\n")
    (workspace / "average.txt").write_text("79.86")
    ctx.extras["typed_numbers"] = {"average.txt": ["79.86"]}
    with pytest.raises(ToolError) as refused:
        finish("完成。", ctx)
    assert str(refused.value) == (
        'Not finished: average.txt holds 79.86, and 79.86 is 79.86666666666666 cut short, not rounded: rounded to 2 '
        'decimals it is 79.87. Write the rounded number to average.txt (in Python, f"{value:.2f}"). If 79.86 is right '
        'as it is, call finish again.')


def test_one_value_of_the_goals_on_every_line_of_an_output_is_noted_and_asked_about_once(workspace: Path) -> None:
    # Latin1Encoding, run 30: the program wrote each Zürich customer's city, and zurich.txt held "Zürich" four times
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["customers.txt lists one customer per line in the form name;city. Write the names of all customers "
                 "whose city is Zürich to a file named zurich.txt, one name per line."]
    (workspace / "customers.txt").write_text("José;Zürich\nAna;Genève\nChloé;Zürich\n", encoding="utf-8")
    said = ("zurich.txt has 'Zürich' on each of its 2 lines: that is the value the goals select by, the same for every "
            "line, not what they ask for from each. Take the part the goals ask for (print one line split into its "
            "parts to see which), and write that.")
    assert write_file("zurich.txt", "Zürich\nZürich\n", ctx).endswith(f"Note: {said}")
    with pytest.raises(ToolError) as refused:
        finish("Done.", ctx)
    assert str(refused.value) == f"Not finished: {said} If it is right as it is, call finish again."
    assert finish("Done.", ctx) == "Done."  # asked once
    assert "select by" not in write_file("zurich.txt", "José\nChloé\n", ctx)


def test_finish_asks_once_for_a_year_the_goals_ask_for_and_the_output_lacks(workspace: Path) -> None:
    # WebFact, run 29: the chief executive's name written alone, the founding year left out, "wrote both"
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Read the web page http://127.0.0.1:8/company.html and write the full name of the company's chief "
                 "executive and the year the company was founded to a file named answer.txt."]
    (workspace / "answer.txt").write_text("Ingrid Halvorsen")
    with pytest.raises(ToolError) as refused:
        finish("Wrote the name and the year to answer.txt.", ctx)
    assert str(refused.value) == (
        "Not finished: answer.txt holds no year ('Ingrid Halvorsen'), but the goals ask for the year too. Find it "
        "where you read the rest, and write answer.txt again with everything the goals ask for. If it is right as it "
        "is, call finish again.")
    assert finish("The page gives no year.", ctx) == "The page gives no year."  # asked once
    ctx.extras.clear()
    (workspace / "answer.txt").write_text("Ingrid Halvorsen, 1994")
    assert finish("Done.", ctx) == "Done."
    ctx.goals = ["写出公司成立的年份和首席执行官的名字到 answer.txt。"]
    (workspace / "answer.txt").write_text("Ingrid Halvorsen")
    with pytest.raises(ToolError, match="answer.txt holds no year"):
        finish("完成。", ctx)


async def test_an_output_written_in_another_encoding_than_utf8_is_noted_and_asked_about_once(
        sandbox: Sandbox, workspace: Path) -> None:
    # Latin1Encoding, run 28: told to read customers.txt with encoding='cp1252', the program wrote zurich.txt so too
    from autogpt.tools.core import finish

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["customers.txt lists one customer per line in the form name;city. Write the names of all customers "
                 "whose city is Zürich to a file named zurich.txt, one name per line."]
    (workspace / "customers.txt").write_bytes("José Núñez;Zürich\nAnaïs Lefèvre;Genève\n".encode("cp1252"))
    shown = await execute_python("open('zurich.txt', 'w', encoding='cp1252').write('José Núñez\\n')", ctx)
    note = ("Note: zurich.txt is written in cp1252, not UTF-8: an input's encoding is for reading that input. Write "
            "zurich.txt in UTF-8: open('zurich.txt', 'w', encoding='utf-8').")
    assert "zurich.txt:\nJosé Núñez\n" + note in shown
    with pytest.raises(ToolError, match="Not finished: zurich.txt is written in cp1252, not UTF-8"):
        finish("Done.", ctx)
    assert finish("Done.", ctx) == "Done."  # asked once
    shown = await execute_python("open('zurich.txt', 'w', encoding='utf-8').write('José Núñez\\n')", ctx)
    assert "not UTF-8" not in shown
    ctx.goals = ["Write the names to zurich.txt in the cp1252 encoding."]  # asked for: not noted
    assert "not UTF-8" not in await execute_python(
        "open('zurich.txt', 'w', encoding='cp1252').write('Zoë\\n')", ctx)


async def test_a_value_added_after_the_loop_that_sets_it_gets_a_note(sandbox: Sandbox, workspace: Path) -> None:
    # InventoryReport, run 28: `total_value += value` under the loop's last line, not indented: TOTAL was the last value
    from autogpt.tools.code import added_after_loop

    ctx = ctx_for(workspace, sandbox)
    code = ("total_value = 0\nfor item, quantity in {'widget': 14, 'gizmo': 8}.items():\n"
            "    value = quantity * 2.5\n    print(f'{item}: {value:.2f}')\ntotal_value += value\n"
            "print(f'TOTAL: {total_value:.2f}')")
    ctx.goals = ["Write report.txt with a line for each item and a final line TOTAL: <sum of all values>."]
    shown = await execute_python(code, ctx)
    indented = code.replace("\ntotal_value += value", "\n    total_value += value")
    assert "TOTAL: 20.00" in shown and shown.endswith(
        "Note: total_value += value comes after the loop (for item, quantity in {'widget': 14, 'gizmo': 8}.items():), "
        "not inside it, so it runs once and adds only the last value: what it printed from it is wrong. To add each "
        "one, indent it under the loop, like the lines that set it, and run the program again. Your program that way: "
        f"execute_python(code={json.dumps(indented)})")
    assert "write it there" not in shown  # InventoryReport, run 29: told to write what it printed, it wrote 59.20
    # run 30: it finished instead, was told to write report.txt, and typed the wrong total: both point to the program
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    with pytest.raises(ToolError) as unwritten:
        finish("Done.", ctx)
    assert str(unwritten.value) == (
        "Not finished: report.txt does not exist in the workspace, and your last program printed 'TOTAL: 20.00' with "
        f"total_value += value after its loop: the last value alone. Next, run it with that line in the loop: "
        f"execute_python(code={json.dumps(indented)}), and write what it prints to report.txt.")
    with pytest.raises(ToolError) as typed:
        write_file("report.txt", "widget: 35.00\ngizmo: 20.00\nTOTAL: 20.00", ctx)
    assert str(typed.value) == (
        "Nothing was written: 'TOTAL: 20.00' is what your last program printed with total_value += value after its "
        f"loop: the last value alone, not all of them. Run it with that line in the loop first: execute_python(code="
        f"{json.dumps(indented)}), then write what it prints. If this text is right, call the command again.")
    assert "TOTAL: 55.00" in await execute_python(indented, ctx)
    assert "Wrote" in write_file("report.txt", "widget: 35.00\ngizmo: 20.00\nTOTAL: 55.00", ctx)
    assert "adds only the last x" in added_after_loop("total = 0\nfor x in [1, 2]:\n    print(x)\ntotal += x\n")
    assert added_after_loop("t = 0\nfor x in xs:\n    t += x\nt += 1\n") == ""  # adds a constant: meant
    assert added_after_loop("t = 0\nfor x in xs:\n    t += x\nprint(t)\n") == ""


def test_one_row_written_over_a_whole_table_is_refused_once(workspace: Path) -> None:
    # JoinCsv, run 28: told Grace Okafor's row was missing, the model wrote it as the whole table
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, None)
    ctx.goals = ["Write customer_totals.csv with the header name,total."]
    (workspace / "customer_totals.csv").write_text("name,total\nAmara Diallo,293.75\nBruno Keller,299.90\n")
    with pytest.raises(ToolError) as refused:
        write_file("customer_totals.csv", "Grace Okafor,0", ctx)
    assert str(refused.value) == (
        "Nothing was written: customer_totals.csv has a header row and 2 rows, and this one line would replace all of "
        "them (write_file replaces the whole file). To add a row, use append_file; to change the table, write it "
        "whole, header and every row, or have a program write it. If this line is meant to be all of it, call the "
        "command again.")
    assert "Wrote" in write_file("customer_totals.csv", "Grace Okafor,0", ctx)  # sent again: meant
    assert "Wrote" in write_file("customer_totals.csv", "name,total", ctx)  # the header alone: a new start


async def test_a_placeholder_in_the_answer_file_is_no_result(sandbox: Sandbox, workspace: Path) -> None:
    # PrimeSum, run 28: answer.txt held "No content yet.", the program printed 277050, and the model finished
    from autogpt.tools.core import finish
    from autogpt.tools.files import write_file

    ctx = ctx_for(workspace, sandbox)
    ctx.goals = ["Compute the sum of all prime numbers below 2000 and write only that number to a file named "
                 "answer.txt."]
    write_file("answer.txt", "No content yet.", ctx)
    shown = await execute_python("print(277050)", ctx)
    assert shown.endswith("Note: this program wrote no file, and answer.txt holds 'No content yet.', not a result. If "
                          "the output above is the result, write it there now: write_file(path=\"answer.txt\", "
                          "content=...) with only what the task asks for.")
    with pytest.raises(ToolError, match=r"answer.txt holds no number \('No content yet.'\), but the goals ask for one"):
        finish("Computed the sum and wrote it to answer.txt.", ctx)
