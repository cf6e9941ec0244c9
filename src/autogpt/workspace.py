"""The task's workspace: the only folder the file tools (and the server's artifact routes) may touch.

Agent code runs in a sandbox with the workspace mounted read-write, so any folder in it may become a symbolic
link to a host folder (or a FIFO, or a socket) at any moment, also *while* this process, which may run as root,
reads or writes there. A path checked with ``realpath()`` and opened by name afterwards is a check-then-use
race: between the check and the open, ``ws/d`` can be swapped for a link to ``/etc``. So no file access here
ever goes through a host path computed earlier:

1. **Text rules first.** :meth:`Workspace.parts` refuses, with a message for the model: NUL bytes, lone
   surrogates (not text), absolute paths outside the workspace, ``..`` components, Windows drive/UNC paths,
   Unicode look-alikes that normalise to a traversal, over-long names and paths. It returns the path's names,
   relative to the workspace.
2. **One name at a time, from a held folder.** The workspace folder is opened once (an ``O_DIRECTORY`` file
   descriptor kept by the :class:`Workspace`). Each name is opened relative to the descriptor of the folder
   above it (``openat``) with ``O_NOFOLLOW``, folders with ``O_DIRECTORY`` too, so the kernel never follows a
   link by itself. Missing folders of a write are made with ``mkdirat`` and then opened the same way.
3. **Links are followed by hand, never out.** A name that is a symbolic link is read (``readlinkat``) and its
   target walked the same way from the descriptors already held: ``..`` in a target goes back to the held parent
   descriptor, never above the workspace; an absolute target must name a place inside the workspace. A link that
   leads out is refused. Links that stay inside work as before (``alias -> folder``).
4. **The opened file is checked, not its name.** The last name is opened with ``O_NONBLOCK`` (a FIFO never
   blocks) and ``fstat``-ed: anything but a regular file (a folder where one is wanted) is refused, as are
   files hard-linked elsewhere. ``"wb"`` truncates only after that check. (A FIFO, socket or device already
   there is refused before any open; the ``fstat`` is what counts if one is swapped in meanwhile.)

Whatever agent code does meanwhile, every descriptor in the walk was reached from the workspace descriptor
through real folders, so the file opened is inside the workspace. (``openat2(RESOLVE_BENEATH)`` would do the
same in the kernel, but only on Linux 5.6+, and it refuses absolute links that stay inside; one portable walk
is simpler to trust.) :meth:`Workspace.resolve` stays for
messages and display only. Listings (:meth:`~Workspace.list_dir`, :meth:`~Workspace.snapshot`,
:meth:`~Workspace.files`) read folders through descriptors opened the same way.

File names that are not valid UTF-8 (agent code can make them) come back from the OS with surrogate escapes.
They cannot be stored, printed or sent as JSON, so :meth:`~Workspace.snapshot`, :meth:`~Workspace.files` and
:meth:`~Workspace.changed_since` leave them out; :meth:`~Workspace.list_dir` gives them as they are and
:func:`display_name` shows them escaped (``bad\\xff.txt``).
"""

from __future__ import annotations

import errno
import os
import stat
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Literal, cast

from autogpt.errors import ToolError, WorkspacePathError

MAX_NAME_BYTES = 255
MAX_PATH_BYTES = 4096
MAX_READ_BYTES = 4 * 1024 * 1024
#: The most :meth:`Workspace.read_bytes` reads unless told otherwise.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Symbolic links followed in one path (the kernel's own limit is 40).
MAX_LINKS = 40
#: The system's limit on a whole path: a file deeper than that cannot be opened by the agent's own programs.
PATH_MAX = 4096
#: Descriptors a walk keeps above the folder it is in (for a link's ``..``); those further up are closed.
KEPT_FOLDERS = 64
#: Folders deeper than this are not walked by :meth:`Workspace.snapshot` and :meth:`Workspace.files`.
MAX_WALK_DEPTH = 64

Mode = Literal["rb", "wb", "ab", "xb"]
_MODE_FLAGS: dict[str, int] = {
    "rb": os.O_RDONLY,
    "wb": os.O_WRONLY | os.O_CREAT,  # no O_TRUNC: truncated after the fstat check
    "ab": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "xb": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
}
_SAFE = os.O_NOFOLLOW | os.O_CLOEXEC | getattr(os, "O_NOCTTY", 0)
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | _SAFE
_FILE_FLAGS = os.O_NONBLOCK | _SAFE
_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFLNK: "a symbolic link", stat.S_IFDIR: "a folder"}


def is_text_name(name: str) -> bool:
    """Whether ``name`` is valid text: no lone surrogates (what the OS gives for bytes that are not UTF-8)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def display_name(name: str) -> str:
    """``name`` as printable text: bytes that are not UTF-8 shown escaped (``bad\\xff.txt``)."""
    if is_text_name(name):
        return name
    try:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that no file name holds (not from bytes): written out as it is
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def _surrogate(text: str) -> str | None:
    return next((ch for ch in text if "\ud800" <= ch <= "\udfff"), None)


def _close(fd: int | None) -> None:
    if fd is not None:
        os.close(fd)


class _Outside(Exception):
    """A symbolic link in the walk leads out of the workspace."""


class Workspace:
    """A folder the file tools are jailed in; see the module docstring for how every access stays inside."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self._fd: int | None = None
        path = Path(root).expanduser()
        path.mkdir(parents=True, exist_ok=True)
        self.root = Path(os.path.realpath(path))
        # The names a model may use for the workspace in absolute paths: its real path and the one it was given.
        self._aliases = tuple(dict.fromkeys((PurePosixPath(self.root), PurePosixPath(os.path.abspath(path)))))
        self._lock = threading.Lock()
        self._id = (0, 0)
        _close(self._root_fd())  # opened now, so a folder that cannot be opened fails here; the duplicate is not kept

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    def close(self) -> None:
        """Close the descriptor of the workspace folder (reopened if the workspace is used again)."""
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _root_fd(self) -> int:
        """A new descriptor of the workspace folder, for the caller to close.

        The folder's own path is the host's (agent code sees it as a mount point, which it cannot rename), so it
        is safe to open again if the folder was removed and made anew since (a test, a bench run)."""
        with self._lock:
            if self._fd is not None:
                try:
                    st = os.stat(self.root, follow_symlinks=False)
                    if (st.st_dev, st.st_ino) == self._id:
                        return os.dup(self._fd)
                except OSError:
                    pass
                os.close(self._fd)
                self._fd = None
            self.root.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.root, _DIR_FLAGS)
            except OSError as exc:
                raise WorkspacePathError(f"The workspace folder cannot be opened: {exc.strerror}.") from None
            st = os.fstat(fd)
            self._fd, self._id = fd, (st.st_dev, st.st_ino)
            return os.dup(fd)

    # --- paths ---------------------------------------------------------------------------------------

    def parts(self, path: str, *, allow_root: bool = False) -> list[str]:
        """The names of ``path`` below the workspace folder (``[]`` for the folder itself, with ``allow_root``),
        once every text rule holds; else :class:`WorkspacePathError` with a message for the model.

        Pure text: nothing on disk is looked at (but for an absolute path that reaches the workspace through a
        host folder's link), so the names are only a plan for the walk, never a host path to open."""
        if not isinstance(path, str):
            raise WorkspacePathError(f"A path must be a string, got {type(path).__name__}.")
        if "\x00" in path:
            raise WorkspacePathError("The path contains a NUL byte, which is not allowed.")
        if (bad := _surrogate(path)) is not None:
            raise WorkspacePathError(
                f"{path!r} contains U+{ord(bad):04X}, a lone surrogate, which is not valid text; "
                "file names must be valid Unicode. Use another name."
            )
        text = path.strip().replace("\\", "/")
        if len(text.encode("utf-8")) > MAX_PATH_BYTES:
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
            if len(part.encode("utf-8")) > MAX_NAME_BYTES:
                raise WorkspacePathError(f"A name in {path!r} is longer than {MAX_NAME_BYTES} bytes.")
        if text.startswith("/"):
            names = self._below(PurePosixPath(text))
            if names is None:
                raise WorkspacePathError(
                    f"{path!r} is an absolute path outside the workspace; use a path relative to the workspace."
                )
        else:
            names = list(PurePosixPath(text).parts)
        if len(os.fsencode(self.root)) + sum(len(n.encode("utf-8")) + 1 for n in names) >= PATH_MAX:
            raise WorkspacePathError(
                f"{path!r} is too long: inside the workspace folder it would pass the system's limit of "
                f"{PATH_MAX} bytes for a whole path. Use shorter or fewer folder names."
            )
        if not names and not allow_root:
            raise WorkspacePathError(f"{path!r} is the workspace folder itself; give a file name.")
        return names

    def _below(self, path: PurePosixPath, *, host_links: bool = True) -> list[str] | None:
        """The names of an absolute path below the workspace folder, or None when it is not inside.
        ``host_links``: also through links in host folders (for the model's paths, not for links' targets)."""
        for alias in self._aliases:
            if path == alias or alias in path.parents:
                return list(path.relative_to(alias).parts)
        if not host_links:
            return None
        # The workspace reached through a host folder's link (e.g. /tmp -> /private/tmp): the first prefix that
        # *is* the workspace folder. The folders before it are the host's, which agent code cannot change.
        for i in range(2, len(path.parts) + 1):
            try:
                st = os.stat(PurePosixPath(*path.parts[:i]))
            except (OSError, ValueError):
                return None
            if (st.st_dev, st.st_ino) == self._id:
                return list(path.parts[i:])
        return None

    def display(self, path: str, *, allow_root: bool = False) -> str:
        """``path`` as the model should see it: relative to the workspace, ``/``-separated (text only)."""
        return "/".join(self.parts(path, allow_root=allow_root)) or "."

    def resolve(self, path: str, *, allow_root: bool = False) -> Path:
        """The real, absolute path of ``path`` inside the workspace, or :class:`WorkspacePathError`.

        For messages and display only: it is out of date the moment it returns (agent code may swap a folder
        for a link), so no file is ever opened through it; the methods below walk the path themselves."""
        names = self.parts(path, allow_root=allow_root)
        real = Path(os.path.realpath(self.root.joinpath(*names)))
        if real != self.root and self.root not in real.parents:
            raise WorkspacePathError(f"{path!r} points outside the workspace (through a symbolic link).")
        if real == self.root and not allow_root:
            raise WorkspacePathError(f"{path!r} is the workspace folder itself; give a file name.")
        return real

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix() if path != self.root else "."

    # --- the race-free walk ------------------------------------------------------------------------------

    def _walk(self, path: str, *, folder: bool, flags: int = os.O_RDONLY, make_folders: bool = False) -> int:
        """A descriptor of ``path``: its last name opened with ``flags`` (or as a folder), every name opened
        relative to the folder above it, links followed by hand and never out (see the module docstring)."""
        verb = "list" if folder else ("read" if flags == os.O_RDONLY else "write")
        names = self.parts(path, allow_root=folder)
        # Descriptors of the folders walked, the workspace first; None: closed (deep down, see KEPT_FOLDERS).
        stack: list[int | None] = [self._root_fd()]
        todo = names[::-1]  # names still to walk, the next one last
        hops = 0
        try:
            while todo:
                name = todo.pop()
                if name == "..":  # only from a link's target
                    if len(stack) == 1:
                        raise _Outside
                    _close(stack.pop())
                    if stack[-1] is None:
                        raise WorkspacePathError(f"{path!r} goes too far back up through a symbolic link.")
                    continue
                last = not todo
                parent = stack[-1]
                assert parent is not None
                try:
                    if last and not folder:
                        return self._open_last(path, name, parent, flags)
                    stack.append(self._open_folder(name, parent, make=make_folders and not last))
                    if len(stack) > KEPT_FOLDERS + 1:  # a deep path: no descriptor per folder (the root stays)
                        _close(stack[-KEPT_FOLDERS - 2])
                        stack[-KEPT_FOLDERS - 2] = None
                except OSError as exc:
                    target = self._link(name, parent, exc)
                    if target is None:
                        raise self._error(path, verb, name, parent, exc, last=last) from None
                    hops += 1
                    if hops > MAX_LINKS:
                        raise WorkspacePathError(f"{path!r} goes through too many symbolic links (a loop?).") from None
                    if target == "":  # the link changed into a real entry meanwhile: open it again
                        todo.append(name)
                        continue
                    if target.startswith("/"):
                        below = self._below(PurePosixPath(target), host_links=False)
                        if below is None:
                            raise _Outside from None
                        while len(stack) > 1:
                            _close(stack.pop())
                        todo.extend(reversed(below))
                    else:
                        todo.extend(n for n in reversed(target.split("/")) if n not in ("", "."))
            # Every name was a folder (or the path led back to one through a link).
            if not folder:
                raise WorkspacePathError(f"{path!r} is a folder, not a file; use list_folder to see it.")
            found = stack.pop()
            assert found is not None
            return found
        except _Outside:
            raise WorkspacePathError(f"{path!r} points outside the workspace (through a symbolic link).") from None
        finally:
            for fd in stack:
                _close(fd)

    @staticmethod
    def _open_folder(name: str, parent: int, *, make: bool) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not make:
                raise
        try:
            os.mkdir(name, 0o755, dir_fd=parent)
        except FileExistsError:
            pass  # made meanwhile (or a link now): the open decides
        return os.open(name, _DIR_FLAGS, dir_fd=parent)

    def _open_last(self, path: str, name: str, parent: int, flags: int) -> int:
        try:  # a FIFO, socket or device is refused unopened (the fstat below is what counts, for a swap meanwhile)
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                self._check_regular(path, st)
        except OSError:
            pass  # missing (to create), or not reachable: the open says why
        fd = os.open(name, flags | _FILE_FLAGS, 0o644, dir_fd=parent)
        try:
            st = os.fstat(fd)
            if stat.S_ISDIR(st.st_mode):
                raise WorkspacePathError(f"{path!r} is a folder, not a file; use list_folder to see it.")
            self._check_regular(path, st)
            if flags & os.O_WRONLY and not flags & (os.O_APPEND | os.O_EXCL):
                os.ftruncate(fd, 0)  # "wb": only now that the file is known to be a plain file of ours
            os.set_blocking(fd, True)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @staticmethod
    def _link(name: str, parent: int, exc: OSError) -> str | None:
        """The target of ``name`` when opening it failed because it is a symbolic link (``O_NOFOLLOW`` gives
        ``ELOOP`` for a file, ``ENOTDIR`` for a folder); ``""`` when it was a link a moment ago but is not any
        more (open it again); None when the failure has another cause."""
        if not isinstance(exc, NotADirectoryError) and exc.errno != errno.ELOOP:
            return None
        try:
            return os.readlink(name, dir_fd=parent) or None
        except OSError:
            pass
        if exc.errno == errno.ELOOP:
            return ""
        try:  # ENOTDIR: a file in the way, or a link that became a folder (and maybe a link again) meanwhile
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
        except OSError:
            return None
        return "" if stat.S_ISDIR(st.st_mode) or stat.S_ISLNK(st.st_mode) else None

    def _error(self, path: str, verb: str, name: str, parent: int, exc: OSError, *, last: bool) -> WorkspacePathError:
        """A message for the model about an open (or mkdir) that failed."""
        if isinstance(exc, WorkspacePathError):
            return exc
        if isinstance(exc, FileNotFoundError):
            if verb == "read":
                return WorkspacePathError(f"{path!r} does not exist. Use list_folder to see the files.")
            return WorkspacePathError(f"{path!r} does not exist.")
        if isinstance(exc, NotADirectoryError):
            if last and verb == "list":
                return WorkspacePathError(f"{path!r} is a file, not a folder; use read_file.")
            return WorkspacePathError(f"Cannot {verb} {path!r}: a part of the path is a file, not a folder.")
        if isinstance(exc, IsADirectoryError):
            return WorkspacePathError(f"{path!r} is a folder, not a file; use list_folder to see it.")
        if isinstance(exc, FileExistsError):
            return WorkspacePathError(f"{path!r} already exists.")
        try:  # a FIFO without a reader, a socket...: say what it is
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
                return WorkspacePathError(
                    f"{path!r} is not a regular file (it is {_KINDS.get(stat.S_IFMT(st.st_mode), 'special')}); refused."
                )
        except OSError:
            pass
        return WorkspacePathError(f"Cannot {verb} {path!r}: {exc.strerror or exc}.")

    @staticmethod
    def _check_regular(path: str, st: os.stat_result) -> None:
        if not stat.S_ISREG(st.st_mode):
            kind = _KINDS.get(stat.S_IFMT(st.st_mode), "special")
            raise WorkspacePathError(f"{path!r} is not a regular file (it is {kind}); refused.")
        if st.st_nlink > 1:
            raise WorkspacePathError(f"{path!r} is hard-linked to another file; refused.")

    # --- file operations ------------------------------------------------------------------------------

    def open_file(self, path: str, mode: Mode) -> BinaryIO:
        """``path`` opened race-free (see the module docstring): ``"rb"``, ``"wb"`` (truncates), ``"ab"``
        (appends) or ``"xb"`` (must not exist). Write modes make missing folders. Only a regular file that is
        not hard-linked is ever opened; anything else is a :class:`WorkspacePathError`."""
        if mode not in _MODE_FLAGS:
            raise ValueError(f"mode must be one of {', '.join(_MODE_FLAGS)}, not {mode!r}")
        flags = _MODE_FLAGS[mode]
        fd = self._walk(path, folder=False, flags=flags, make_folders=mode != "rb")
        return cast(BinaryIO, os.fdopen(fd, mode))

    def is_file(self, path: str) -> bool:
        """Whether ``path`` is a regular file in the workspace that the methods here can read."""
        try:
            self.open_file(path, "rb").close()
        except (WorkspacePathError, OSError):
            return False
        return True

    def read_bytes(self, path: str, *, max_bytes: int = MAX_FILE_BYTES) -> bytes:
        """The file's bytes; a :class:`WorkspacePathError` when it holds more than ``max_bytes``."""
        with self.open_file(path, "rb") as fh:
            data = fh.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise WorkspacePathError(f"{path!r} is larger than {max_bytes} bytes; it cannot be read whole.")
        return data

    def write_bytes(self, path: str, data: bytes) -> None:
        """Create or replace the file (missing folders are made)."""
        with self.open_file(path, "wb") as fh:
            fh.write(data)

    def read_text(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> str:
        return self.read_text_and_encoding(path, max_bytes=max_bytes)[0]

    def read_text_and_encoding(self, path: str, *, max_bytes: int = MAX_READ_BYTES) -> tuple[str, str]:
        """The file's text and the encoding it was decoded with (see :func:`decode_text`)."""
        with self.open_file(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(max_bytes + 1)
        if b"\x00" in data[:8192]:
            raise WorkspacePathError(f"{path!r} is a binary file ({size} bytes); it cannot be shown as text.")
        text, encoding = decode_text(data[:max_bytes], cut=len(data) > max_bytes)
        if len(data) > max_bytes:
            text += f"\n[... file continues: {size - max_bytes} more bytes not read]"
        return text, encoding

    def write_text(self, path: str, content: str, *, append: bool = False) -> Path:
        """Write ``content`` as UTF-8 (appended with ``append``); the file's path, for display."""
        try:
            data = content.encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = content[exc.start]
            raise ToolError(f"The content contains U+{ord(bad):04X}, a lone surrogate, which is not valid text; "
                            "nothing was written.") from None
        with self.open_file(path, "ab" if append else "wb") as fh:
            fh.write(data)
        return self.root.joinpath(*self.parts(path))

    def list_dir(self, path: str = ".") -> list[tuple[str, bool, int]]:
        """``(name, is_dir, size)`` for each entry, sorted, folders first. Names are as the OS gives them: one
        that is not valid UTF-8 holds surrogate escapes (see :func:`display_name`)."""
        fd = self._walk(path or ".", folder=True)
        entries = []
        try:
            with os.scandir(fd) as it:
                for entry in it:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                        size = 0 if is_dir else entry.stat(follow_symlinks=False).st_size
                    except OSError:  # removed meanwhile
                        continue
                    entries.append((entry.name, is_dir, size))
        except OSError as exc:
            raise WorkspacePathError(f"Cannot list {path!r}: {exc.strerror}.") from None
        finally:
            os.close(fd)
        return sorted(entries, key=lambda e: (not e[1], e[0]))

    # --- artifacts -------------------------------------------------------------------------------------

    def _folders(self, skip: Callable[[str], bool]) -> Iterator[tuple[str, int, list[str]]]:
        """``(relative folder, its descriptor, sorted names of what is not a folder in it)`` for every folder,
        depth first, in sorted order. Folders are opened like the walk does (no link is followed); those whose
        name is ``skip``-ped or not valid text, and those deeper than :data:`MAX_WALK_DEPTH`, are left out."""
        root = self._root_fd()
        stack: list[tuple[int, str, Iterator[str]]] = []

        def enter(fd: int, prefix: str) -> list[str]:
            folders, others = [], []
            try:
                with os.scandir(fd) as it:
                    for entry in it:
                        try:
                            (folders if entry.is_dir(follow_symlinks=False) else others).append(entry.name)
                        except OSError:
                            continue
            except OSError:
                pass
            subfolders = (n for n in sorted(folders) if not skip(n) and is_text_name(n))
            stack.append((fd, prefix, subfolders))
            return sorted(others)

        try:
            yield "", root, enter(root, "")
            while stack:
                fd, prefix, subfolders = stack[-1]
                name = next(subfolders, None)
                if name is None:
                    os.close(stack.pop()[0])
                    continue
                if len(stack) > MAX_WALK_DEPTH:
                    continue
                try:
                    sub = os.open(name, _DIR_FLAGS, dir_fd=fd)
                except OSError:
                    continue
                folder = f"{prefix}{name}/"
                yield folder, sub, enter(sub, folder)
        finally:
            for fd, _, _ in stack:
                os.close(fd)

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """``{relative path: (size, mtime_ns)}`` of every regular file in the workspace (not under ``.autogpt*``
        folders; names that are not valid UTF-8 are left out)."""
        found: dict[str, tuple[int, int]] = {}
        walk = self._folders(lambda name: name.startswith(".autogpt"))
        try:
            for folder, fd, names in walk:
                for name in names:
                    if not is_text_name(name):
                        continue
                    try:
                        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.S_ISREG(st.st_mode):
                        found[folder + name] = (st.st_size, st.st_mtime_ns)
        finally:
            walk.close()
        return found

    def files(self, limit: int = 100) -> list[str]:
        """Up to ``limit`` file paths, depth first in sorted order, hidden folders (``.git``, ``.venv``...)
        skipped, names that are not valid UTF-8 left out.

        Cheap enough to call every step, even when the workspace is a large project.
        """
        found: list[str] = []
        walk = self._folders(lambda name: name.startswith("."))
        try:
            for folder, _, names in walk:
                found.extend(folder + name for name in names if is_text_name(name))
                if len(found) >= limit:
                    return found[:limit]
        finally:
            walk.close()
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
