"""Knowledge: the user's documents, chunked and stored in long-term memory, so answers can cite them.

``agent.train(["faq.md", "manual.pdf", "一段文字"])`` and ``autogpt train PATH...`` end up here. Each file is a
*source* (its resolved path); the sha256 of its text is kept with its chunks, so training on the same file
again adds nothing and training on a changed file replaces its chunks. A plain string that is not an
existing path is a text source named by its hash.

Readers: .txt/.md/.rst/.csv/.json (as text), .html/.htm (trafilatura when installed, else tags stripped),
.pdf (pypdf), .docx (the document XML, no extra package). A folder means every readable file in it.
"""

from __future__ import annotations

import hashlib
import html
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from autogpt.errors import ConfigError, InvalidParameterError
from autogpt.memory.base import LongTermMemory, MemoryHit, NewMemory

KNOWLEDGE = "knowledge"
TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst", ".csv", ".tsv", ".json", ".jsonl", ".yaml", ".yml", ".log"}
HTML_SUFFIXES = {".html", ".htm"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}
ACCEPTS = ("files or folders of .txt, .md, .html, .pdf or .docx documents, or plain strings of text "
           "(e.g. agent.train(['faq.md', 'docs/']) or autogpt train faq.md)")


@dataclass
class TrainParams:
    """What ``set_parameter`` may set for learning documents with ``train()`` and for lessons from runs (the
    seeds' ``batch_size`` and ``learning_rate`` are the LoRA training's: see :class:`autogpt.llm.lora.LoraParams`)."""

    embed_batch_size: int = 32  # chunks embedded at once
    chunk_size: int = 800  # characters per chunk
    chunk_overlap: int = 100  # characters repeated from the previous chunk
    lesson_rate: float = 0.3  # how far one run's reward moves a lesson's weight (see memory.lessons)

    LIMITS = {"embed_batch_size": (1, 1024), "chunk_size": (200, 8000), "chunk_overlap": (0, 2000),
              "lesson_rate": (0.0, 1.0)}

    def set(self, name: str, value: object) -> None:
        low, high = self.LIMITS[name]
        kind = float if name == "lesson_rate" else int

        def bad(detail: str) -> InvalidParameterError:
            return InvalidParameterError(name, list(self.LIMITS), detail)

        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise bad(f"{name} must be a{'' if kind is float else 'n'} {kind.__name__}, not {value!r}.")
        if not (low < value <= high if name == "lesson_rate" else low <= value <= high):
            raise bad(f"{name} must be {'above' if name == 'lesson_rate' else 'from'} {low} and at most {high}, "
                      f"not {value!r}.")
        if name == "chunk_overlap" and value >= self.chunk_size:
            raise bad(f"chunk_overlap ({value}) must be smaller than chunk_size ({self.chunk_size}).")
        setattr(self, name, kind(value))


@dataclass
class TrainReport:
    """What ``train()`` did: sources added, replaced (changed since last time) and unchanged, and the
    problems it met (a file it cannot read is reported here, the other files are still learned)."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    problems: list[str] = field(default_factory=list)
    lessons: int = 0  # lessons distilled from past runs (see AutoGPT.train)

    @property
    def learned(self) -> bool:
        return bool(self.added or self.replaced or self.lessons)

    def describe(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.replaced)} updated", f"{len(self.unchanged)} unchanged"]
        text = f"Documents: {', '.join(parts)}; {self.chunks} chunks stored."
        if self.lessons:
            text += f" {self.lessons} lessons from past runs."
        return text + "".join(f"\n  ! {p}" for p in self.problems)


def ingest(memory: LongTermMemory, items: Iterable[str | Path], params: TrainParams | None = None) -> TrainReport:
    """Learn documents: each item is a file, a folder, or a plain text. Nothing readable at all raises
    :class:`ConfigError` saying what is accepted; one unreadable file among others is a reported problem."""
    from autogpt.memory.text import chunk_text

    params = params or TrainParams()
    report = TrainReport()
    known = memory.sources(KNOWLEDGE)
    sources = list(_sources(items, report))
    if not sources and not report.problems:
        raise ConfigError(f"Nothing to learn from: train() accepts {ACCEPTS}.")
    for source, text, title in sources:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        previous = known.get(source)
        if previous is not None and previous.get("sha256") == digest:
            report.unchanged.append(source)
            continue
        chunks = [c for c in chunk_text(text, params.chunk_size, params.chunk_overlap) if c.strip()]
        if not chunks:
            report.problems.append(f"{source}: no text in it.")
            continue
        if previous is not None:
            memory.delete_source(source, namespace=KNOWLEDGE)
        meta = {"sha256": digest, "title": title, "chunks": len(chunks)}
        for start in range(0, len(chunks), params.embed_batch_size):
            batch = chunks[start:start + params.embed_batch_size]
            memory.add_many([NewMemory(text=chunk, namespace=KNOWLEDGE, source=source, position=start + i,
                                       metadata=meta) for i, chunk in enumerate(batch)])
        report.chunks += len(chunks)
        (report.replaced if previous is not None else report.added).append(source)
        known[source] = meta
    if not report.learned and not report.unchanged:
        raise ConfigError("Nothing could be learned:\n" + "\n".join(report.problems) + f"\ntrain() accepts {ACCEPTS}.")
    return report


def document_chunks(items: Iterable[str | Path], params: TrainParams | None = None) -> tuple[list[str], list[str]]:
    """The chunks of text ``items`` hold (files, folders or texts, as :func:`ingest` reads them) and the problems
    met reading them: what the model writes question/answer pairs about for a LoRA adapter."""
    from autogpt.memory.text import chunk_text

    params = params or TrainParams()
    report = TrainReport()
    chunks = [chunk for _, text, _ in _sources(items, report)
              for chunk in chunk_text(text, params.chunk_size, params.chunk_overlap) if chunk.strip()]
    return chunks, report.problems


def cite(hit: MemoryHit) -> str:
    """How an answer names where a chunk came from: ``[faq.md #2]`` (file name and chunk number)."""
    source = hit.record.source or "memory"
    name = source.split(":", 1)[1][:8] if source.startswith("text:") else Path(source).name
    return f"[{name} #{hit.record.position + 1}]"


def render_hits(hits: Sequence[MemoryHit], budget_tokens: int, count_tokens=lambda s: len(s) // 3, *,
                cited: bool = True) -> str:
    """Hits as lines, best first, within ``budget_tokens``; ``cited``: knowledge lines start with their source.

    A run's prompt shows them uncited: the embedded model read ``[faq.md #1]`` as a file to open, and went
    looking for faq.md in the workspace and on the web."""
    lines, left = [], budget_tokens
    for hit in hits:
        label = cite(hit) if cited and hit.record.namespace == KNOWLEDGE else "-"
        text = hit.record.text if cited else re.sub(r"(?m)^\s*#{1,6}\s+", "", hit.record.text)  # no doc titles
        line = f"{label} {' '.join(text.split())}"
        cost = count_tokens(line) + 1
        if cost > left:
            if not lines and left > 40:  # the best hit, shortened, beats nothing
                lines.append(line[: left * 3] + "…")
            break
        lines.append(line)
        left -= cost
    return "\n".join(lines)


# --- reading documents ------------------------------------------------------------------------------------


def _sources(items: Iterable[str | Path], report: TrainReport) -> Iterable[tuple[str, str, str]]:
    """(source, text, title) for every item; folders are walked, unreadable files reported."""
    if isinstance(items, (str, Path)):
        items = [items]
    for item in items:
        path = Path(item) if isinstance(item, Path) or _looks_like_path(item) else None
        if path is None:
            text = str(item).strip()
            if text:
                yield f"text:{hashlib.sha256(text.encode()).hexdigest()[:16]}", text, text[:60]
            continue
        if not path.exists():
            report.problems.append(f"{item}: no such file or folder.")
            continue
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES) \
            if path.is_dir() else [path]
        if path.is_dir() and not files:
            report.problems.append(f"{item}: no {', '.join(sorted(SUFFIXES))} files in this folder.")
        for file in files:
            try:
                text = read_document(file)
            except ConfigError as exc:
                report.problems.append(str(exc))
                continue
            yield str(file.resolve()), text, file.name


def _looks_like_path(text: str) -> bool:
    """A short single-line string that names an existing file or folder, or ends like a document name."""
    if "\n" in text or len(text) > 4096 or not text.strip():
        return False
    try:
        if Path(text).exists():
            return True
    except OSError:
        return False
    return bool(re.fullmatch(r"[^\s]+\.(?:" + "|".join(s[1:] for s in SUFFIXES) + ")", text.strip(), re.IGNORECASE))


def read_document(path: Path) -> str:
    """The text of one document; a file that cannot be read raises :class:`ConfigError` saying why."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".pdf":
            return _read_pdf(path)
        if suffix == ".docx":
            return _read_docx(path)
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc}).") from None
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        raise ConfigError(f"{path}: cannot learn from {suffix or 'files without an extension'}; use {ACCEPTS}.")
    if b"\x00" in data[:4096]:
        raise ConfigError(f"{path}: this is a binary file, not text.")
    text = _decode(data)
    return _html_to_text(text) if suffix in HTML_SUFFIXES else text


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _html_to_text(page: str) -> str:
    try:
        import trafilatura
    except ImportError:
        trafilatura = None
    if trafilatura is not None:
        text = trafilatura.extract(page, output_format="markdown", include_links=False, include_tables=True)
        if text:
            return text.replace("\\_", "_")
    page = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", page)
    page = re.sub(r"(?i)<br\s*/?>|</(p|div|li|h[1-6]|tr)>", "\n", page)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise ConfigError(f"{path}: reading PDF needs pypdf: pip install 'autogpt[memory]'.") from None
    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: not a readable PDF ({exc}).") from None
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text:
        raise ConfigError(f"{path}: the PDF has no text layer (a scan?); nothing to learn.")
    return text


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read_docx(path: Path) -> str:
    """Paragraphs of a Word document, read from its XML (a .docx is a zip); no extra package needed."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as exc:
        raise ConfigError(f"{path}: not a readable .docx file ({exc}).") from None
    paragraphs = []
    for paragraph in root.iter(f"{_W}p"):
        text = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
        if text.strip():
            paragraphs.append(text)
    return "\n\n".join(paragraphs)


#: Below these cosine similarities (multilingual-e5-small) a memory is not shown. Measured on
#: benchmarks/data/retrieval_zh_en.json: a passage that answers the query scores 0.84 to 0.95, the best
#: unrelated one 0.78 to 0.91, and our benchmark goals against support passages up to 0.84. A run's prompt
#: wants precision (noise derails a small model; ``recall`` is there for the rest), a chat about the
#: user's documents wants recall.
IN_RUNS, IN_CHAT = 0.85, 0.80


def relevant_hits(memory: LongTermMemory, query: str, k: int = 4, *, min_similarity: float = IN_CHAT,
                  namespaces: Sequence[str] = (KNOWLEDGE, "memories")) -> list[MemoryHit]:
    """The memories worth showing for ``query``: the best of each namespace that are similar enough, best
    first. Empty when nothing is relevant: no noise in the prompt."""
    hits: list[MemoryHit] = []
    for namespace in namespaces:
        hits += [h for h in memory.search(query, namespace=namespace, k=k) if (h.similarity or 0) >= min_similarity]
    hits.sort(key=lambda h: h.similarity or 0, reverse=True)
    return hits[:k]
