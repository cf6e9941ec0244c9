"""File tools, jailed in the task's workspace (see :mod:`autogpt.workspace`).

Every read, write and listing goes through the workspace's race-free methods (each name opened relative to its
folder's descriptor); a path is turned into text for messages with :meth:`Workspace.display`, never into a host
path that is opened later."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from autogpt.errors import ToolError, WorkspacePathError
from autogpt.tools.code import repair_code
from autogpt.tools.registry import Tool, ToolContext
from autogpt.workspace import display_name, is_text_name

#: The text of a write: the JSON schema asks for at least one character, so a grammar-constrained model cannot
#: "write" an empty file (small models' first write is often ""); _write still refuses empty text.
Text = Annotated[str, Field(json_schema_extra={"minLength": 1})]


def _write(path: str, content: str, ctx: ToolContext, *, append: bool) -> str:
    """``write_file`` and ``append_file``. Empty text is refused (a model that "wrote" a file this way believes it
    holds the answer). Python code gets the JSON-escaping slips of models mended (see ``code.repair_code``)."""
    verb = "appended" if append else "written"
    if not content:
        raise ToolError(f"The content is empty: nothing was {verb}. Put the text itself in content.")
    if path.strip() in ("", ".", "./"):
        raise WorkspacePathError(f'Nothing was {verb}: a file name is required, e.g. path="notes.txt".')
    relative = ctx.workspace.display(path)  # text for messages; the write below walks the model's path itself
    if relative.endswith(".py") and not append:
        content = repair_code(content)
    if append:
        try:
            before = ctx.workspace.read_text(path, max_bytes=1 << 20)
        except (ToolError, OSError):
            before = ""
        if before.endswith(content):
            raise ToolError(f"Nothing was appended: {relative} already ends with this text.")
        if before and not before.endswith("\n") and not content.startswith("\n"):
            content = "\n" + content  # a new line, not glued to the last one
    ctx.workspace.write_text(path, content, append=append)
    return f"{'Appended' if append else 'Wrote'} {len(content)} characters to {relative}."


def write_file(path: str, content: Text, ctx: ToolContext) -> str:
    """Create or replace a text file in the workspace with the given content (folders are created automatically).

    Args:
        path: File path relative to the workspace, e.g. "report.md".
        content: The complete text to write.
    """
    return _write(path, content, ctx, append=False)


def append_file(path: str, content: Text, ctx: ToolContext) -> str:
    """Append text to the end of a file in the workspace (the file is created if missing).

    Args:
        path: File path relative to the workspace.
        content: The text to add at the end.
    """
    return _write(path, content, ctx, append=True)


def read_file(path: str, ctx: ToolContext, start_line: int = 1, end_line: int = 0) -> str:
    """Read a text file from the workspace.

    Args:
        path: File path relative to the workspace.
        start_line: First line to show (1 = the beginning).
        end_line: Last line to show (0 = to the end).
    """
    text, encoding = ctx.workspace.read_text_and_encoding(path)
    # Code that opens the file must use the same encoding, or it fails on the first accent.
    note = "" if encoding == "utf-8" else (f"[{path} is not UTF-8: read as {encoding}. In Python, open it with "
                                             f"open({path!r}, encoding={encoding!r}); write files in UTF-8.]\n")
    if start_line <= 1 and end_line <= 0:
        return note + text if text else f"({path} is empty)"
    lines = text.splitlines()
    first = max(start_line, 1)
    last = end_line if end_line > 0 else len(lines)
    chosen = lines[first - 1 : last]
    return note + f"[{path}: lines {first}-{first + len(chosen) - 1} of {len(lines)}]\n" + "\n".join(chosen)


def list_folder(ctx: ToolContext, path: str = ".") -> str:
    """List the files and folders in a workspace folder.

    Args:
        path: Folder path relative to the workspace ("." for the workspace itself).
    """
    entries = ctx.workspace.list_dir(path)
    if not entries:
        return f"The folder {path!r} is empty."
    lines = [f"{name}/" if is_dir else f"{name} ({size} bytes)" for name, is_dir, size in entries[:500]
             if is_text_name(name)]
    odd = [display_name(name) + ("/" if is_dir else "") for name, is_dir, _ in entries[:500] if not is_text_name(name)]
    if odd:  # agent code can make them; the file tools cannot name them, code can (os.listdir(b"."))
        first = odd[0].rstrip("/")
        example = f"b'{first}'" if first.isascii() and "'" not in first else "b'OLD'"
        lines.append(f"[{len(odd)} name(s) not valid UTF-8, shown escaped: {', '.join(odd)}. The file tools cannot "
                     f"open them; rename them with Python code, e.g. os.rename({example}, 'new_name.txt').]")
    if len(entries) > 500:
        lines.append(f"... and {len(entries) - 500} more entries")
    return "\n".join(lines)


READ_FILE = Tool(read_file, reads="path")
WRITE_FILE = Tool(write_file, writes=True)
APPEND_FILE = Tool(append_file, writes=True)
LIST_FOLDER = Tool(list_folder)
