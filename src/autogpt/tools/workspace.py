"""The task's workspace: the only folder the file tools may touch.

Every path from the model goes through :meth:`Workspace.resolve`, which refuses, with a message for the
model: NUL bytes, absolute paths outside the workspace, ``..`` components, Windows drive/UNC paths,
Unicode look-alikes that normalise to a traversal, over-long names, and anything whose real path (symlinks
followed) lies outside. Files are opened with ``O_NOFOLLOW``, and hard-linked or special files are refused.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path, PurePosixPath

from autogpt.errors import WorkspacePathError

MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
MAX_READ_BYTES = 4 * 1024 * 1024


class Workspace:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        path = Path(root).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        self.root = Path(os.path.realpath(path))

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    # --- paths ---------------------------------------------------------------------------------------

    def resolve(self, path: str, *, allow_root: bool = False) -> Path:
        """The real, absolute path of ``path`` inside the workspace, or :class:`WorkspacePathError`."""
        if not isinstance(path, str):
            raise WorkspacePathError(f"A path must be a string, got {type(path).__name__}.")
        if "\x00" in path:
            raise WorkspacePathError("The path contains a NUL byte, which is not allowed.")
        text = path.strip().replace("\\", "/")
        if len(text.encode("utf-8", "surrogatepass")) > MAX_PATH_BYTES:
            raise WorkspacePathError(f"The path is longer than {MAX_PATH_BYTES} bytes.")
        if text in ("", ".", "./") and not allow_root:
            raise WorkspacePathError("A file name is required, e.g. 'notes.txt'.")
        if len(text) >= 2 and text[1] == ":" and text[0].isalpha():
            raise WorkspacePathError(f"{path!r} is a Windows drive path; use a path relative to the workspace.")
        if text.startswith("//"):
            raise WorkspacePathError(f"{path!r} is a network (UNC) path; use a path relative to the workspace.")
        for variant in {text, unicodedata.normalize("NFKC", text)}:
            if ".." in PurePosixPath(variant).parts:
                hint = "" if variant == text else " (after Unicode normalisation)"
                raise WorkspacePathError(f"{path!r} goes up with '..'{hint}; stay inside the workspace.")
        for part in PurePosixPath(text).parts:
            if len(part.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
                raise WorkspacePathError(f"A name in {path!r} is longer than {MAX_NAME_BYTES} bytes.")
        candidate = Path(text) if text.startswith("/") else self.root / text
        real = Path(os.path.realpath(candidate))
        if real != self.root and self.root not in real.parents:
            if text.startswith("/"):
                raise WorkspacePathError(
                    f"{path!r} is an absolute path outside the workspace; use a path relative to the workspace."
                )
            raise WorkspacePathError(f"{path!r} points outside the workspace (through a symbolic link).")
        if real == self.root and not allow_root:
            raise WorkspacePathError(f"{path!r} is the workspace folder itself; give a file name.")
        return real

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path != self.root else "."

    # --- file operations ------------------------------------------------------------------------------

    def read_text(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> str:
        return self.read_text_and_encoding(path, max_bytes=max_bytes)[0]

    def read_text_and_encoding(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> tuple[str, str]:
        """The file's text and the encoding it was decoded with (see :func:`decode_text`)."""
        target = self.resolve(path)
        try:
            fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            raise WorkspacePathError(f"{path!r} does not exist. Use list_folder to see the files.") from None
        except IsADirectoryError:
            raise WorkspacePathError(f"{path!r} is a folder; use list_folder.") from None
        except OSError as exc:
            raise WorkspacePathError(f"Cannot open {path!r}: {exc.strerror}.") from None
        try:
            # Checked on the raw fd: os.fdopen() itself raises IsADirectoryError for a folder.
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise WorkspacePathError(f"{path!r} is a folder; use list_folder.")
            self._check_regular(path, st)
        except BaseException:
            os.close(fd)
            raise
        with os.fdopen(fd, "rb") as fh:
            data = fh.read(max_bytes + 1)
        if b"\x00" in data[:8192]:
            raise WorkspacePathError(f"{path!r} is a binary file ({st.st_size} bytes); it cannot be shown as text.")
        text, encoding = decode_text(data[:max_bytes], cut=len(data) > max_bytes)
        if len(data) > max_bytes:
            text += f"\n[... file continues: {st.st_size - max_bytes} more bytes not read]"
        return text, encoding

    def write_text(self, path: str, content: str, *, append: bool = False) -> Path:
        target = self.resolve(path)
        try:
            if target.is_dir():
                raise WorkspacePathError(f"{path!r} is a folder, not a file.")
            target.parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            raise WorkspacePathError(f"Cannot write {path!r}: a part of the path is a file, not a folder.") from None
        except OSError as exc:
            raise WorkspacePathError(f"Cannot write {path!r}: {exc.strerror}.") from None
        # Re-check after creating parents: nothing on the way may have become a link out.
        if self.resolve(path) != target:
            raise WorkspacePathError(f"{path!r} changed while writing; refused.")
        flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | (os.O_APPEND if append else 0)
        try:
            fd = os.open(target, flags, 0o644)
        except OSError as exc:
            raise WorkspacePathError(f"Cannot write {path!r}: {exc.strerror}.") from None
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            self._check_regular(path, os.fstat(fh.fileno()))  # before truncating anything
            if not append:
                fh.truncate(0)
            fh.write(content)
        return target

    def list_dir(self, path: str = ".") -> list[tuple[str, bool, int]]:
        """``(name, is_dir, size)`` for each entry, sorted, folders first."""
        target = self.resolve(path or ".", allow_root=True)
        try:
            if not target.exists():
                raise WorkspacePathError(f"{path!r} does not exist.")
            if not target.is_dir():
                raise WorkspacePathError(f"{path!r} is a file, not a folder; use read_file.")
            entries = []
            with os.scandir(target) as it:
                for entry in it:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    size = 0 if is_dir else entry.stat(follow_symlinks=False).st_size
                    entries.append((entry.name, is_dir, size))
        except OSError as exc:
            raise WorkspacePathError(f"Cannot list {path!r}: {exc.strerror}.") from None
        return sorted(entries, key=lambda e: (not e[1], e[0]))

    @staticmethod
    def _check_regular(path: str, st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            raise WorkspacePathError(f"{path!r} is not a regular file.")
        if st.st_nlink > 1:
            raise WorkspacePathError(f"{path!r} is hard-linked to another file; refused.")

    # --- artifacts -------------------------------------------------------------------------------------

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """``{relative path: (size, mtime_ns)}`` of every regular file in the workspace."""
        found: dict[str, tuple[int, int]] = {}
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".autogpt")]
            for name in filenames:
                full = os.path.join(dirpath, name)
                try:
                    st = os.lstat(full)
                except OSError:
                    continue
                if stat.S_ISREG(st.st_mode):
                    found[os.path.relpath(full, self.root)] = (st.st_size, st.st_mtime_ns)
        return found

    def files(self, limit: int = 100) -> list[str]:
        """Up to ``limit`` file paths, shallowest first, hidden folders (``.git``, ``.venv``...) skipped.

        Cheap enough to call every step, even when the workspace is a large project.
        """
        found: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            found.extend(os.path.relpath(os.path.join(dirpath, n), self.root) for n in sorted(filenames))
            if len(found) >= limit:
                return found[:limit]
        return found

    def changed_since(self, before: dict[str, tuple[int, int]]) -> list[str]:
        after = self.snapshot()
        return sorted(path for path, sig in after.items() if before.get(path) != sig)


def decode_text(data: bytes, *, cut: bool = False) -> tuple[str, str]:
    """Text and its encoding: UTF-8 when it is; else GB18030 (GBK) when that gives Chinese text; else
    Latin-1 (cp1252 where it can). Users' files are not all UTF-8, and decoding them as UTF-8 with
    replacement characters silently garbles every accent or hanzi. ``cut``: the bytes end mid-file."""
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if cut and exc.start >= len(data) - 3:  # only a character cut in two at the end
            return data.decode("utf-8", errors="ignore"), "utf-8"
    try:
        text = data.decode("gb18030")
        wide = [ch for ch in text if ord(ch) > 127]
        if wide and sum("\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"
                        for ch in wide) / len(wide) > 0.9:
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"
