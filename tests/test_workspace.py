"""The workspace path jail and the file tools: every attack is refused and leaves the host untouched."""

import asyncio
import contextlib
import os
import signal
import stat
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from autogpt.errors import ToolArgumentError, ToolError, WorkspacePathError
from autogpt.tools.files import append_file, list_folder, read_file, write_file
from autogpt.tools.registry import Tool, ToolContext
from autogpt.workspace import MAX_PATH_BYTES, Workspace

TOOLS = {
    "write": Tool(write_file),
    "append": Tool(append_file),
    "read": Tool(read_file),
    "list": Tool(list_folder),
}
SECRET = "TOP SECRET: do not leak\n"


@dataclass
class Env:
    tmp: Path
    ws: Workspace
    ctx: ToolContext
    outside: Path
    secret: Path
    has_hardlink: bool


@pytest.fixture
def env(tmp_path: Path) -> Env:
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    secret = outside / "secret.txt"
    secret.write_text(SECRET)
    (outside / "sub" / "inner.txt").write_text("inner")
    ws = Workspace(tmp_path / "ws")
    root = ws.root
    (root / "folder").mkdir()
    (root / "folder" / "keep.txt").write_text("keep")
    (root / "notes.txt").write_text("line1\nline2\nline3\nline4\n")
    os.symlink(secret, root / "link_file")  # file link pointing out
    os.symlink(outside, root / "link_dir")  # dir link pointing out
    os.symlink(outside / "ghost.txt", root / "dangling")  # dangling link pointing out
    (root / "nested").mkdir()
    os.symlink(outside / "sub", root / "nested" / "up")  # a symlinked parent directory
    try:
        os.link(secret, root / "hard.txt")  # hard link to a file outside
        has_hardlink = True
    except OSError:
        has_hardlink = False
    return Env(tmp_path, ws, ToolContext(workspace=ws), outside, secret, has_hardlink)


def tree_state(top: Path) -> dict[str, tuple]:
    """Everything under ``top`` (links not followed): kind, size, mtime, content / link target."""
    state: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            full = os.path.join(dirpath, name)
            st = os.lstat(full)
            rel = os.path.relpath(full, top)
            if os.path.islink(full):
                state[rel] = ("link", os.readlink(full))
            elif os.path.isdir(full):
                state[rel] = ("dir", st.st_mtime_ns)
            else:
                state[rel] = ("file", st.st_size, st.st_mtime_ns, st.st_nlink, Path(full).read_bytes())
        state[os.path.relpath(dirpath, top)] = ("dir", os.lstat(dirpath).st_mtime_ns)
    return state


async def call(env: Env, op: str, path: object, **extra: object) -> str:
    args: dict[str, object] = {"path": path, **extra}
    if op in ("write", "append"):
        args.setdefault("content", "PWNED")
    return await TOOLS[op].call(args, env.ctx)


# (id, op, path, a substring the model-facing message must contain). "{out}" is the outside folder.
ATTACKS = [
    ("dotdot-write", "write", "../escape.txt", "'..'"),
    ("dotdot-read", "read", "../outside/secret.txt", "'..'"),
    ("dotdot-list", "list", "..", "'..'"),
    ("nested-dotdot-write", "write", "a/../../escape.txt", "'..'"),
    ("nested-dotdot-read", "read", "folder/../../outside/secret.txt", "'..'"),
    ("trailing-dotdot-write", "write", "folder/..", "'..'"),
    ("trailing-dotdot-list", "list", "folder/../..", "'..'"),
    ("dotdot-append", "append", "../outside/secret.txt", "'..'"),
    ("abs-etc-passwd-read", "read", "/etc/passwd", "absolute path outside"),
    ("abs-root-list", "list", "/", "absolute path outside"),
    ("abs-etc-list", "list", "/etc", "absolute path outside"),
    ("abs-outside-read", "read", "{out}/secret.txt", "absolute path outside"),
    ("abs-outside-write", "write", "{out}/new.txt", "absolute path outside"),
    ("abs-outside-append", "append", "{out}/secret.txt", "absolute path outside"),
    ("abs-outside-overwrite", "write", "{out}/secret.txt", "absolute path outside"),
    ("symlink-file-read", "read", "link_file", "symbolic link"),
    ("symlink-file-write", "write", "link_file", "symbolic link"),
    ("symlink-file-append", "append", "link_file", "symbolic link"),
    ("symlink-dir-read", "read", "link_dir/secret.txt", "symbolic link"),
    ("symlink-dir-write", "write", "link_dir/new.txt", "symbolic link"),
    ("symlink-dir-list", "list", "link_dir", "symbolic link"),
    ("symlink-dir-list-sub", "list", "link_dir/sub", "symbolic link"),
    ("symlink-dangling-write", "write", "dangling", "symbolic link"),
    ("symlinked-parent-write", "write", "nested/up/inner.txt", "symbolic link"),
    ("symlinked-parent-create", "write", "nested/up/deeper/new.txt", "symbolic link"),
    ("symlinked-parent-read", "read", "nested/up/inner.txt", "symbolic link"),
    ("nul-write", "write", "a\x00b.txt", "NUL"),
    ("nul-read", "read", "notes.txt\x00.png", "NUL"),
    ("fullwidth-dotdot-read", "read", "．．／outside/secret.txt", "Unicode normalisation"),
    ("fullwidth-dotdot-write", "write", "．．/escape.txt", "Unicode normalisation"),
    ("one-dot-leader-write", "write", "‥/escape.txt", "Unicode normalisation"),
    ("one-dot-leader-list", "list", "folder/‥/‥", "Unicode normalisation"),
    ("backslash-dotdot-write", "write", "..\\..\\x", "'..'"),
    ("backslash-nested-dotdot-read", "read", "folder\\..\\..\\outside\\secret.txt", "'..'"),
    ("windows-drive-backslash", "write", "C:\\x", "Windows drive"),
    ("windows-drive-slash", "write", "c:/x", "Windows drive"),
    ("windows-drive-read", "read", "C:\\Windows\\win.ini", "Windows drive"),
    ("unc-backslash-write", "write", "\\\\server\\share", "UNC"),
    ("unc-backslash-list", "list", "\\\\server\\share\\dir", "UNC"),
    ("unc-slash-read", "read", "//server/x", "UNC"),
    ("long-component-write", "write", "a" * 300 + ".txt", "longer than 255"),
    ("long-component-multibyte", "write", "é" * 150, "longer than 255"),
    ("long-path-write", "write", "/".join(["d" * 100] * 45), f"longer than {MAX_PATH_BYTES}"),
    ("long-path-read", "read", "x/" * 2100, f"longer than {MAX_PATH_BYTES}"),
    ("empty-write", "write", "", "file name"),
    ("dot-write", "write", ".", "file name"),
    ("blank-write", "write", "   ", "file name"),
    ("empty-read", "read", "", "file name"),
    ("dot-read", "read", "./", "file name"),
    ("dot-dot-slash-read", "read", "./.", "workspace folder itself"),
    ("abs-ws-root-write", "write", "{ws}", "workspace folder itself"),
    ("write-folder", "write", "folder", "is a folder"),
    ("append-folder", "append", "folder", "is a folder"),
    ("read-folder", "read", "folder", "is a folder"),
    ("list-file", "list", "notes.txt", "not a folder"),
]


@pytest.mark.parametrize(("op", "path", "expected"), [a[1:] for a in ATTACKS], ids=[a[0] for a in ATTACKS])
async def test_attack_is_refused_and_host_untouched(env: Env, op: str, path: str, expected: str) -> None:
    path = path.replace("{out}", str(env.outside)).replace("{ws}", str(env.ws.root))
    before = tree_state(env.tmp)
    with pytest.raises(WorkspacePathError) as info:
        await call(env, op, path)
    message = str(info.value)
    assert expected in message
    assert "Errno" not in message and "Traceback" not in message
    assert SECRET.strip() not in message
    # Nothing anywhere under tmp_path (outside or inside the workspace) was created or modified.
    assert tree_state(env.tmp) == before
    assert env.secret.read_text() == SECRET
    assert not (env.tmp / "escape.txt").exists()
    assert not (env.outside / "new.txt").exists()
    assert not (env.outside / "ghost.txt").exists()


def test_workspace_path_error_is_a_tool_error() -> None:
    assert issubclass(WorkspacePathError, ToolError)


@pytest.mark.parametrize("op", ["read", "write", "append"])
async def test_hard_link_to_outside_file_is_refused(env: Env, op: str) -> None:
    if not env.has_hardlink:
        pytest.skip("tmp dir does not support hard links")
    before = tree_state(env.tmp)
    with pytest.raises(WorkspacePathError, match="hard-linked"):
        await call(env, op, "hard.txt")
    assert tree_state(env.tmp) == before
    assert env.secret.read_text() == SECRET
    assert os.stat(env.secret).st_ino == os.stat(env.ws.root / "hard.txt").st_ino


def test_absolute_tmp_path_outside_is_refused_without_touching_it(env: Env) -> None:
    stray = f"/tmp/autogpt-test-{uuid.uuid4().hex}"
    with pytest.raises(WorkspacePathError, match="absolute path outside"):
        env.ws.resolve(stray)
    assert not os.path.exists(stray)


def test_symlink_loop_is_refused(env: Env) -> None:
    root = env.ws.root
    os.symlink("loop_b", root / "loop_a")
    os.symlink("loop_a", root / "loop_b")
    with pytest.raises(WorkspacePathError):
        env.ws.read_text("loop_a")
    with pytest.raises(WorkspacePathError):
        env.ws.write_text("loop_a", "x")
    assert os.path.islink(root / "loop_a") and os.path.islink(root / "loop_b")


async def test_write_below_an_existing_file_is_a_clear_error(env: Env) -> None:
    # A model mistake, not a tool crash: must be WorkspacePathError, not a raw OSError / ToolCrashedError.
    before = tree_state(env.tmp)
    for path in ("notes.txt/child.txt", "notes.txt/deeper/child.txt"):
        with pytest.raises(WorkspacePathError, match="notes.txt"):
            await call(env, "write", path)
    with pytest.raises(WorkspacePathError):
        await call(env, "read", "notes.txt/child.txt")
    assert tree_state(env.tmp) == before


async def test_path_under_limit_but_too_long_on_disk_is_a_clear_error(env: Env) -> None:
    # Under MAX_PATH_BYTES relative to the workspace, but the full host path exceeds PATH_MAX.
    path = "/".join(["d" * 200] * 20) + "/" + "e" * (MAX_PATH_BYTES - 20 * 201 - 1)
    assert len(path.encode()) <= MAX_PATH_BYTES
    assert len(str(env.ws.root / path).encode()) > 4096
    before = tree_state(env.tmp)
    for op in ("write", "append", "read", "list"):
        # Not a raw OSError turned into ToolCrashedError (which would end the run): a message for the model.
        with pytest.raises(WorkspacePathError):
            await call(env, op, path)
    assert tree_state(env.tmp) == before


@contextlib.contextmanager
def no_hang(what: str, seconds: int = 3) -> Iterator[None]:
    """Fail with TimeoutError instead of hanging when the block blocks (on a FIFO, say) for ``seconds``."""

    def timeout(signum: int, frame: object) -> None:
        raise TimeoutError(f"{what} blocked")

    old = signal.signal(signal.SIGALRM, timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def test_fifo_read_and_write_do_not_hang(env: Env) -> None:
    fifo = env.ws.root / "pipe"
    os.mkfifo(fifo)

    with no_hang("a FIFO operation"):
        with pytest.raises(WorkspacePathError, match="not a regular file"):
            env.ws.read_text("pipe")
        with pytest.raises(WorkspacePathError):
            env.ws.write_text("pipe", "data")
        with pytest.raises(WorkspacePathError):
            env.ws.write_text("pipe", "data", append=True)


async def test_fifo_read_through_tool(env: Env) -> None:
    os.mkfifo(env.ws.root / "pipe")
    with pytest.raises(WorkspacePathError, match="not a regular file"):
        await asyncio.wait_for(call(env, "read", "pipe"), timeout=3)


async def test_binary_file_is_refused(env: Env) -> None:
    (env.ws.root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    with pytest.raises(WorkspacePathError, match="binary"):
        await call(env, "read", "image.png")


async def test_missing_file_message_mentions_list_folder(env: Env) -> None:
    with pytest.raises(WorkspacePathError) as info:
        await call(env, "read", "nope/missing.txt")
    assert "missing.txt" in str(info.value)
    assert "list_folder" in str(info.value)
    assert not (env.ws.root / "nope").exists()
    with pytest.raises(WorkspacePathError, match="does not exist"):
        await call(env, "list", "nope")


@pytest.mark.parametrize("bad", [5, None, b"notes.txt", ["notes.txt"], Path("notes.txt")])
def test_non_string_path_refused_by_workspace(env: Env, bad: object) -> None:
    with pytest.raises(WorkspacePathError, match="must be a string"):
        env.ws.resolve(bad)  # type: ignore[arg-type]
    with pytest.raises(WorkspacePathError):
        env.ws.read_text(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [5, None, ["notes.txt"], {"p": 1}])
async def test_non_string_path_refused_by_tool(env: Env, bad: object) -> None:
    before = tree_state(env.tmp)
    with pytest.raises(ToolArgumentError, match="path"):
        await call(env, "write", bad)
    assert tree_state(env.tmp) == before


async def test_tilde_is_a_literal_name_inside_the_workspace(env: Env) -> None:
    name = f"autogpt-test-{uuid.uuid4().hex}.txt"
    home_target = Path(os.path.expanduser("~")) / name
    await call(env, "write", f"~/{name}", content="tilde")
    assert (env.ws.root / "~" / name).read_text() == "tilde"
    assert not home_target.exists()
    assert env.ws.resolve("~") == env.ws.root / "~"
    assert await call(env, "read", f"~/{name}") == "tilde"


async def test_spaces_and_chinese_characters_are_accepted(env: Env) -> None:
    result = await call(env, "write", "我的 报告/总结 final.md", content="# 总结\n内容")
    assert "我的 报告/总结 final.md" in result
    assert (env.ws.root / "我的 报告" / "总结 final.md").read_text(encoding="utf-8") == "# 总结\n内容"
    await call(env, "write", "报告/总结.md", content="ok")
    assert await call(env, "read", "报告/总结.md") == "ok"
    listing = await call(env, "list", "我的 报告")
    assert "总结 final.md" in listing


async def test_backslashes_are_folder_separators_inside(env: Env) -> None:
    await call(env, "write", "a\\b.txt", content="hello")
    assert (env.ws.root / "a" / "b.txt").read_text() == "hello"
    assert not (env.ws.root / "a\\b.txt").exists()
    assert await call(env, "read", "a/b.txt") == "hello"


async def test_absolute_path_inside_the_workspace_is_accepted(env: Env) -> None:
    inside = str(env.ws.root / "abs" / "file.txt")
    result = await call(env, "write", inside, content="absolute")
    assert result == "Wrote 8 characters to abs/file.txt."
    assert (env.ws.root / "abs" / "file.txt").read_text() == "absolute"
    assert await call(env, "read", inside) == "absolute"
    assert "file.txt (8 bytes)" in await call(env, "list", str(env.ws.root / "abs"))


def test_workspace_created_through_a_symlink_accepts_its_own_absolute_paths(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "alias")
    ws = Workspace(tmp_path / "alias")
    assert ws.root == (tmp_path / "real").resolve()
    ws.write_text(str(tmp_path / "alias" / "x.txt"), "via alias")
    assert (tmp_path / "real" / "x.txt").read_text() == "via alias"


async def test_symlink_pointing_inside_is_followed(env: Env) -> None:
    os.symlink("folder", env.ws.root / "alias")
    assert await call(env, "read", "alias/keep.txt") == "keep"
    await call(env, "write", "alias/new.txt", content="through alias")
    assert (env.ws.root / "folder" / "new.txt").read_text() == "through alias"


async def test_nested_folders_are_created_on_write(env: Env) -> None:
    result = await call(env, "write", "a/b/c/d.txt", content="deep")
    assert result == "Wrote 4 characters to a/b/c/d.txt."
    assert (env.ws.root / "a" / "b" / "c" / "d.txt").read_text() == "deep"


async def test_write_replaces_content(env: Env) -> None:
    await call(env, "write", "notes.txt", content="short")
    assert (env.ws.root / "notes.txt").read_text() == "short"


async def test_empty_content_is_refused_and_nothing_is_written(env: Env) -> None:
    for kind in ("write", "append"):
        with pytest.raises(ToolError, match="content is empty"):
            await call(env, kind, "answer.txt", content="")
    assert not (env.ws.root / "answer.txt").exists()


async def test_append_creates_then_appends(env: Env) -> None:
    assert (
        await call(env, "append", "log/run.log", content="one\n") == "Appended 4 characters to log/run.log."
    )
    await call(env, "append", "log/run.log", content="two\n")
    assert (env.ws.root / "log" / "run.log").read_text() == "one\ntwo\n"


async def test_read_file_line_ranges(env: Env) -> None:
    full = await call(env, "read", "notes.txt")
    assert full == "line1\nline2\nline3\nline4\n"
    assert (
        await call(env, "read", "notes.txt", start_line=2, end_line=3)
        == "[notes.txt: lines 2-3 of 4]\nline2\nline3"
    )
    assert await call(env, "read", "notes.txt", start_line=3) == "[notes.txt: lines 3-4 of 4]\nline3\nline4"
    assert await call(env, "read", "notes.txt", end_line=1) == "[notes.txt: lines 1-1 of 4]\nline1"
    assert (
        await call(env, "read", "notes.txt", start_line=0, end_line=2)
        == "[notes.txt: lines 1-2 of 4]\nline1\nline2"
    )


@pytest.mark.parametrize(("raw", "text", "encoding"), [
    ("José Núñez;Zürich\n".encode("latin-1"), "José Núñez;Zürich", "cp1252"),
    ("姓名,城市\n张伟,杭州\n".encode("gbk"), "张伟,杭州", "gb18030"),
    ("Straße, 北京\n".encode(), "Straße, 北京", None),
])
async def test_read_file_decodes_files_that_are_not_utf8_and_says_how(env: Env, raw: bytes, text: str,
                                                                       encoding: str | None) -> None:
    (env.ws.root / "data.txt").write_bytes(raw)
    shown = await call(env, "read", "data.txt")
    assert text in shown and "\ufffd" not in shown
    if encoding is None:
        assert "not UTF-8" not in shown
    else:
        assert f"open('data.txt', encoding='{encoding}'); write files in UTF-8." in shown  # code that reads it works
        assert raw.decode(encoding) == shown.split("]\n", 1)[1]


def test_a_utf8_character_cut_by_the_read_limit_is_not_mistaken_for_another_encoding(env: Env) -> None:
    (env.ws.root / "big.txt").write_text("中文" * 10, encoding="utf-8")
    text, encoding = env.ws.read_text_and_encoding("big.txt", max_bytes=16)  # 16 bytes: 5 characters and a third
    assert encoding == "utf-8" and text.startswith("中文中文中") and "file continues" in text


async def test_read_empty_file(env: Env) -> None:
    (env.ws.root / "empty.txt").write_text("")
    assert await call(env, "read", "empty.txt") == "(empty.txt is empty)"


def test_read_is_truncated_at_max_bytes(env: Env) -> None:
    (env.ws.root / "big.txt").write_text("x" * 100)
    text = env.ws.read_text("big.txt", max_bytes=10)
    assert text.startswith("x" * 10 + "\n")
    assert "90 more bytes" in text


async def test_list_folder_shows_folders_first_and_does_not_follow_links(env: Env) -> None:
    listing = (await call(env, "list", ".")).splitlines()
    assert listing[0] == "folder/"
    assert "nested/" in listing
    assert "notes.txt (24 bytes)" in listing
    # Links are listed as entries, not followed (link_dir is not shown as a folder).
    assert "link_dir/" not in listing
    assert any(line.startswith("link_dir ") for line in listing)
    assert await call(env, "list", "folder") == "keep.txt (4 bytes)"
    (env.ws.root / "void").mkdir()
    assert await call(env, "list", "void") == "The folder 'void' is empty."
    assert env.ws.list_dir("") == env.ws.list_dir(".")


def test_snapshot_and_changed_since(env: Env) -> None:
    ws = env.ws
    before = ws.snapshot()
    assert "notes.txt" in before and "folder/keep.txt" in before
    assert "link_file" not in before and "dangling" not in before  # links are not artifacts
    assert not any(p.startswith("link_dir") for p in before)  # links to folders are not walked

    ws.write_text("new/report.md", "created")
    ws.write_text("notes.txt", "modified, different size")
    keep = ws.root / "folder" / "keep.txt"
    keep.write_text("KEEP")  # same size: detected through the mtime
    st = keep.stat()
    os.utime(keep, ns=(st.st_atime_ns, before["folder/keep.txt"][1] + 1_000_000_000))
    (ws.root / ".autogpt").mkdir()
    (ws.root / ".autogpt" / "state.json").write_text("{}")

    assert ws.changed_since(before) == ["folder/keep.txt", "new/report.md", "notes.txt"]
    assert ws.changed_since(ws.snapshot()) == []


def test_repr_and_relative(env: Env) -> None:
    assert str(env.ws.root) in repr(env.ws)
    assert env.ws.relative(env.ws.root) == "."
    assert env.ws.relative(env.ws.root / "a" / "b.txt") == "a/b.txt"


def test_files_lists_shallow_first_skips_hidden_and_stops_at_the_limit(tmp_path):
    ws = Workspace(tmp_path / "ws")
    for name in ("b.txt", "a.txt", "sub/c.txt", ".git/config", "sub/deeper/d.txt"):
        (ws.root / name).parent.mkdir(parents=True, exist_ok=True)
        (ws.root / name).write_text("x")
    assert ws.files() == ["a.txt", "b.txt", "sub/c.txt", "sub/deeper/d.txt"]
    assert ws.files(limit=2) == ["a.txt", "b.txt"]


# --- the race-free API: open_file, read_bytes, write_bytes (see test_workspace_race.py for the race itself) ---------


def test_open_file_modes(env: Env) -> None:
    ws = env.ws
    with ws.open_file("new/deeper/f.bin", "wb") as fh:  # folders made
        fh.write(b"one")
    with ws.open_file("new/deeper/f.bin", "ab") as fh:
        fh.write(b"two")
    with ws.open_file("new/deeper/f.bin", "rb") as fh:
        assert fh.read() == b"onetwo"
    with ws.open_file("new/deeper/f.bin", "wb") as fh:  # truncates
        fh.write(b"3")
    assert ws.read_bytes("new/deeper/f.bin") == b"3"
    with pytest.raises(WorkspacePathError, match="already exists"):
        ws.open_file("new/deeper/f.bin", "xb")
    with ws.open_file("new/x.bin", "xb") as fh:
        fh.write(b"x")
    ws.write_bytes("new/y.bin", b"\x00\xff")
    assert ws.read_bytes("new/y.bin") == b"\x00\xff" and (ws.root / "new" / "x.bin").read_bytes() == b"x"
    with pytest.raises(WorkspacePathError, match="does not exist"):
        ws.open_file("nope/missing.bin", "rb")
    assert not (ws.root / "nope").exists()  # a read makes no folder
    with pytest.raises(ValueError, match="mode"):
        ws.open_file("notes.txt", "r+")  # type: ignore[arg-type]


def test_read_bytes_refuses_more_than_max_bytes(env: Env) -> None:
    (env.ws.root / "big.bin").write_bytes(b"x" * 100)
    assert env.ws.read_bytes("big.bin", max_bytes=100) == b"x" * 100
    with pytest.raises(WorkspacePathError, match="larger than 99 bytes"):
        env.ws.read_bytes("big.bin", max_bytes=99)


@pytest.mark.parametrize("mode", ["rb", "wb", "ab", "xb"])
def test_open_file_refuses_links_out_and_hard_links_and_leaves_them_untouched(env: Env, mode: str) -> None:
    before = tree_state(env.tmp)
    for path in ("link_file", "link_dir/secret.txt", "dangling", "nested/up/inner.txt", "link_dir/new.bin",
                 *(["hard.txt"] if env.has_hardlink else [])):
        with pytest.raises(WorkspacePathError):
            env.ws.open_file(path, mode).close()  # type: ignore[arg-type]
    assert tree_state(env.tmp) == before
    assert env.secret.read_text() == SECRET


@pytest.mark.parametrize("kind", ["fifo", "socket"])
@pytest.mark.parametrize("mode", ["rb", "wb", "ab"])
def test_open_file_refuses_special_files_without_blocking(env: Env, kind: str, mode: str) -> None:
    import socket

    path = env.ws.root / "special"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        sock = socket.socket(socket.AF_UNIX)
        try:
            sock.bind(str(path))
        except OSError:
            pytest.skip("the path is too long for a socket")
        sock.close()

    with no_hang("open_file"), pytest.raises(WorkspacePathError, match="not a regular file"):
        env.ws.open_file("special", mode)  # type: ignore[arg-type]
    assert not stat.S_ISREG(os.lstat(path).st_mode)


def test_links_inside_are_followed_by_hand(env: Env) -> None:
    root = env.ws.root
    os.symlink(root / "folder", root / "abs_alias")  # absolute, inside
    (root / "a" / "b").mkdir(parents=True)
    os.symlink("../../folder", root / "a" / "b" / "back")  # '..' that stays inside
    os.symlink("../../..", root / "a" / "b" / "above")  # '..' above the workspace
    assert env.ws.read_bytes("abs_alias/keep.txt") == b"keep"
    assert env.ws.read_bytes("a/b/back/keep.txt") == b"keep"
    env.ws.write_bytes("a/b/back/new.txt", b"new")
    assert (root / "folder" / "new.txt").read_bytes() == b"new"
    with pytest.raises(WorkspacePathError, match="outside the workspace"):
        env.ws.read_bytes("a/b/above/outside/secret.txt")
    with pytest.raises(WorkspacePathError, match="outside the workspace"):
        env.ws.list_dir("a/b/above")


def test_no_descriptor_is_left_open(env: Env) -> None:
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("no /proc here")
    env.ws.read_bytes("notes.txt")
    before = open_fds()
    for i in range(50):
        env.ws.write_bytes(f"d{i % 3}/sub/f.txt", b"x")
        env.ws.read_text(f"d{i % 3}/sub/f.txt")
        env.ws.list_dir(f"d{i % 3}")
        env.ws.snapshot()
        env.ws.files(limit=3)
        for bad in ("link_dir/secret.txt", "missing/x", "notes.txt/x", "folder", "dangling"):
            with pytest.raises(WorkspacePathError):
                env.ws.read_bytes(bad)
    assert open_fds() == before


def test_a_removed_workspace_folder_is_made_again(tmp_path: Path) -> None:
    import shutil

    ws = Workspace(tmp_path / "ws")
    ws.write_text("a.txt", "one")
    shutil.rmtree(ws.root)
    ws.write_text("b.txt", "two")  # a fresh folder at the same path, as the old code did
    assert (tmp_path / "ws" / "b.txt").read_text() == "two"


def test_display_is_the_path_as_text_relative_to_the_workspace(env: Env) -> None:
    assert env.ws.display("a\\b//./c.txt") == "a/b/c.txt"
    assert env.ws.display(str(env.ws.root / "x" / "y.txt")) == "x/y.txt"
    assert env.ws.display(".", allow_root=True) == "."
    with pytest.raises(WorkspacePathError, match="'..'"):
        env.ws.display("../x")


def test_a_workspace_keeps_one_descriptor_and_close_frees_it(tmp_path: Path) -> None:
    # Each Workspace once kept a second descriptor of its folder open for ever: a server running many tasks, or
    # a test session, ran out of descriptors.
    def open_fds() -> int:
        return len(os.listdir("/proc/self/fd"))

    before = open_fds()
    spaces = [Workspace(tmp_path / f"ws{i}") for i in range(20)]
    for space in spaces:
        space.write_text("a.txt", "hi")
        assert space.read_text("a.txt") == "hi"
    assert open_fds() - before == 20  # one each, for the race-free walks
    for space in spaces:
        space.close()
    assert open_fds() == before
