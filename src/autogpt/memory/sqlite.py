"""The embedded long-term memory: one SQLite file with sqlite-vec (vectors) and FTS5 (keywords).

Tables (the ``rowid`` of ``memories`` keys the other two):

- ``memories``: the records (id, namespace, text, source, position, metadata JSON, created);
- ``memories_vec``: a sqlite-vec ``vec0`` table, cosine distance, with ``namespace`` as its partition key and
  ``source`` as a metadata column, so the k nearest are found *inside* a namespace (and source), not
  among all vectors and then filtered (which could leave fewer than k);
- ``memories_fts``: FTS5 over the keyword tokens (:func:`autogpt.memory.text.keyword_tokens`: Chinese
  segmented by jieba, tokenizer ``unicode61``), ranked by bm25;
- ``meta``: the embedder's name and dimension. Vectors of two models cannot be compared, so a file built
  with another embedder is refused rather than silently mixed.

Python's own ``sqlite3`` here cannot load extensions, so the connection comes from ``sqlean`` (a drop-in
``sqlite3`` with extension loading). Embedding happens outside the lock; the writes of one call are one
transaction.
"""

from __future__ import annotations

import builtins
import json
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from autogpt.errors import MemoryUnavailableError, NotFoundError
from autogpt.memory.base import Embedder, MemoryHit, MemoryRecord, NewMemory
from autogpt.memory.embedders import INSTALL_HINT
from autogpt.memory.text import fts_query, index_text, query_tokens, strong_keyword_match

SCHEMA_VERSION = "1"
RRF_K = 60  # reciprocal rank fusion constant (Cormack et al. 2009): score = sum of 1 / (RRF_K + rank)
VEC0_MAX_K = 4096  # sqlite-vec's limit on k in one KNN query
# Vectors per vec0 chunk. Each namespace (partition) allocates whole chunks: the default 1024 makes a memory
# with one short note per namespace ~5 MB; 256 keeps it small at no measurable cost to search.
VEC0_CHUNK_SIZE = 256

_COLUMNS = "id, namespace, text, source, position, metadata, created"


def _blob(vector: Sequence[float]) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def _check_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise ValueError("A memory's text must not be empty.")
    return text


class SQLiteMemory:
    """Long-term memory in one SQLite file (WAL): hybrid search by vector similarity and bm25, fused by
    reciprocal rank. Safe to share between threads (one connection behind a lock)."""

    def __init__(self, path: str | Path, embedder: Embedder, *, batch_size: int = 32) -> None:
        self.path = Path(path)
        self.embedder = embedder
        self.batch_size = batch_size
        self._lock = threading.RLock()
        self._closed = False
        try:
            import sqlean
            import sqlite_vec
        except ImportError as e:
            raise MemoryUnavailableError(f"Long-term memory needs sqlean.py and sqlite-vec ({e}). {INSTALL_HINT}") from e
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlean.connect(str(path), check_same_thread=False, timeout=30, isolation_level=None)
        except (OSError, sqlean.Error) as e:
            raise MemoryUnavailableError(f"Cannot open the long-term memory file {self.path}: {e}") from e
        self._conn = conn
        try:
            conn.enable_load_extension(True)
            sqlite_vec.load(conn)
            conn.enable_load_extension(False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._init_schema()
        except MemoryUnavailableError:
            conn.close()
            raise
        except (OSError, sqlean.Error) as e:
            conn.close()
            raise MemoryUnavailableError(f"Cannot open the long-term memory file {self.path}: {e}") from e

    # --- setup -----------------------------------------------------------------------------------------

    def _init_schema(self) -> None:
        conn = self._conn
        with self._transaction():
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
            if "embedder" in meta:
                self._check_embedder(meta)
                return
            dim = int(self.embedder.dim)
            conn.execute(
                """CREATE TABLE IF NOT EXISTS memories (
                    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
                    id TEXT NOT NULL UNIQUE,
                    namespace TEXT NOT NULL,
                    text TEXT NOT NULL,
                    source TEXT,
                    position INTEGER NOT NULL DEFAULT 0,
                    metadata TEXT NOT NULL DEFAULT '{}',
                    created REAL NOT NULL
                )"""
            )
            conn.execute("CREATE INDEX IF NOT EXISTS memories_order ON memories (namespace, created, position)")
            conn.execute("CREATE INDEX IF NOT EXISTS memories_source ON memories (namespace, source)")
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS memories_vec USING vec0("
                f"namespace TEXT PARTITION KEY, source TEXT, embedding float[{dim}] distance_metric=cosine, "
                f"chunk_size={VEC0_CHUNK_SIZE})"
            )
            conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS memories_fts USING fts5(body, tokenize='unicode61')")
            conn.executemany(
                "INSERT INTO meta (key, value) VALUES (?, ?)",
                [("schema", SCHEMA_VERSION), ("embedder", self.embedder.name), ("dim", str(dim))],
            )

    def _check_embedder(self, meta: dict[str, str]) -> None:
        built_with, built_dim = meta["embedder"], int(meta.get("dim", "0"))
        # The name first: asking an API embedder its dim may cost a request.
        if built_with != self.embedder.name or built_dim != int(self.embedder.dim):
            raise MemoryUnavailableError(
                f"The long-term memory {self.path} was built with the embedder {built_with!r} ({built_dim} "
                f"dimensions), but the configured embedder is {self.embedder.name!r}: vectors of two models "
                f"cannot be compared. Set embedder back, or use another memory file (another data_dir or "
                f"memory_url), or delete {self.path} to start an empty memory."
            )

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction under the lock (the connection is in autocommit mode otherwise)."""
        with self._lock:
            if self._closed:
                raise MemoryUnavailableError(f"The long-term memory {self.path} is closed.")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> builtins.list[tuple[Any, ...]]:
        with self._lock:
            if self._closed:
                raise MemoryUnavailableError(f"The long-term memory {self.path} is closed.")
            return self._conn.execute(sql, params).fetchall()

    @staticmethod
    def _record(row: Sequence[Any]) -> MemoryRecord:
        mid, namespace, text, source, position, metadata, created = row
        return MemoryRecord(id=mid, namespace=namespace, text=text, source=source, position=position,
                            metadata=json.loads(metadata), created=created)

    def _rowid(self, memory_id: str) -> int:
        row = self._conn.execute("SELECT rowid FROM memories WHERE id = ?", (memory_id,)).fetchone()
        if row is None:
            raise NotFoundError(f"No memory with id {memory_id!r}.")
        return int(row[0])

    # --- writing ---------------------------------------------------------------------------------------

    def add(self, text: str, *, namespace: str = "memories", source: str | None = None, position: int = 0,
            metadata: dict[str, Any] | None = None) -> MemoryRecord:
        item = NewMemory(text=_check_text(text), namespace=namespace, source=source, position=position,
                         metadata=metadata or {})
        return self.add_many([item])[0]

    def add_many(self, items: Sequence[NewMemory]) -> builtins.list[MemoryRecord]:
        """Add several texts at once: embedded in batches of ``batch_size`` (before taking the lock, so
        searches go on meanwhile), then written in one transaction."""
        now = time.time()  # one batch, one time: its records are then ordered by position
        records = [item.model_copy(deep=True) if isinstance(item, MemoryRecord)
                   else MemoryRecord(**item.model_dump(), created=now) for item in items]
        for record in records:
            _check_text(record.text)
        if not records:
            return []
        vectors: builtins.list[builtins.list[float]] = []
        for i in range(0, len(records), self.batch_size):
            vectors.extend(self.embedder.embed_passages([r.text for r in records[i : i + self.batch_size]]))
        rows = [(r, index_text(r.text), json.dumps(r.metadata, ensure_ascii=False)) for r in records]
        with self._transaction():
            for (r, body, metadata), vector in zip(rows, vectors, strict=True):
                cur = self._conn.execute(
                    f"INSERT INTO memories ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (r.id, r.namespace, r.text, r.source, r.position, metadata, r.created),
                )
                rowid = cur.lastrowid
                self._conn.execute(
                    "INSERT INTO memories_vec (rowid, namespace, source, embedding) VALUES (?, ?, ?, ?)",
                    (rowid, r.namespace, r.source or "", _blob(vector)),
                )
                self._conn.execute("INSERT INTO memories_fts (rowid, body) VALUES (?, ?)", (rowid, body))
        return records

    def update(self, memory_id: str, *, text: str | None = None,
               metadata: dict[str, Any] | None = None) -> MemoryRecord:
        """Replace the text (re-embedded and re-indexed if it changed) and/or the metadata (replaced whole)."""
        if text is not None:
            _check_text(text)
        current = self.get(memory_id)  # NotFoundError before spending an embedding
        changed = text is not None and text != current.text
        vector = self.embedder.embed_passages([text])[0] if changed and text is not None else None
        with self._transaction():
            rowid = self._rowid(memory_id)
            if vector is not None:
                self._conn.execute("UPDATE memories SET text = ? WHERE rowid = ?", (text, rowid))
                self._conn.execute("UPDATE memories_vec SET embedding = ? WHERE rowid = ?", (_blob(vector), rowid))
                self._conn.execute("UPDATE memories_fts SET body = ? WHERE rowid = ?", (index_text(text), rowid))
            if metadata is not None:
                self._conn.execute(
                    "UPDATE memories SET metadata = ? WHERE rowid = ?", (json.dumps(metadata, ensure_ascii=False), rowid)
                )
        return self.get(memory_id)

    def _delete_rowids(self, rowids: Sequence[int]) -> None:
        params = [(r,) for r in rowids]
        self._conn.executemany("DELETE FROM memories_vec WHERE rowid = ?", params)
        self._conn.executemany("DELETE FROM memories_fts WHERE rowid = ?", params)
        self._conn.executemany("DELETE FROM memories WHERE rowid = ?", params)

    def delete(self, memory_id: str) -> None:
        with self._transaction():
            self._delete_rowids([self._rowid(memory_id)])

    def delete_source(self, source: str, *, namespace: str = "knowledge") -> int:
        """Delete every record of ``source`` in ``namespace``; returns how many."""
        with self._transaction():
            rowids = [r for (r,) in self._conn.execute(
                "SELECT rowid FROM memories WHERE namespace = ? AND source = ?", (namespace, source)
            ).fetchall()]
            self._delete_rowids(rowids)
        return len(rowids)

    # --- reading ---------------------------------------------------------------------------------------

    def search(self, query: str, *, namespace: str = "memories", k: int = 5,
               source: str | None = None) -> builtins.list[MemoryHit]:
        """The ``k`` records most relevant to ``query`` in ``namespace`` (only from ``source`` if given):
        the vector top-N and the bm25 top-N (N = max(50, 5k)), fused by reciprocal rank. A bm25 hit counts
        only if :func:`~autogpt.memory.text.strong_keyword_match` (a code of the query, or half its keywords);
        ``keyword_rank`` is the rank among those."""
        if k <= 0 or not query.strip():
            return []
        n = min(max(50, 5 * k), VEC0_MAX_K)
        qvec = _blob(self.embedder.embed_queries([query])[0])
        tokens = query_tokens(query)
        match = fts_query(query)
        vec_sql = "SELECT rowid, distance FROM memories_vec WHERE embedding MATCH ? AND k = ? AND namespace = ?"
        vec_params: builtins.list[Any] = [qvec, n, namespace]
        fts_sql = ("SELECT memories_fts.rowid, memories_fts.body FROM memories_fts "
                   "JOIN memories m ON m.rowid = memories_fts.rowid WHERE memories_fts MATCH ? AND m.namespace = ?")
        fts_params: builtins.list[Any] = [match, namespace]
        if source is not None:
            vec_sql += " AND source = ?"
            vec_params.append(source)
            fts_sql += " AND m.source = ?"
            fts_params.append(source)
        vec_sql += " ORDER BY distance"
        fts_sql += " ORDER BY bm25(memories_fts) LIMIT ?"
        fts_params.append(n)
        with self._lock:
            distances = dict(self._query(vec_sql, vec_params))
            fts_rows = self._query(fts_sql, fts_params) if match else []
            fts_ids = [r for r, body in fts_rows if strong_keyword_match(tokens, body)]
            fused = self._fuse(list(distances), fts_ids, k)
            # Cosine similarity for every hit (also those only the keyword search found): callers decide with
            # it whether a hit is relevant at all, which ranks cannot tell.
            missing = [rowid for rowid, _ in fused if rowid not in distances]
            if missing:
                marks = ", ".join("?" * len(missing))
                distances.update(self._query(
                    f"SELECT rowid, vec_distance_cosine(embedding, ?) FROM memories_vec WHERE rowid IN ({marks})",
                    [qvec, *missing]))
            for rowid, hit in fused:
                distance = distances.get(rowid)
                hit.similarity = None if distance is None else round(1.0 - float(distance), 4)
            return [hit for _, hit in fused]

    def _fuse(self, vec_ids: Sequence[int], fts_ids: Sequence[int], k: int) -> builtins.list[tuple[int, MemoryHit]]:
        vec_rank = {r: i for i, r in enumerate(vec_ids, 1)}
        fts_rank = {r: i for i, r in enumerate(fts_ids, 1)}
        scores: dict[int, float] = {}
        for ranks in (vec_rank, fts_rank):
            for rowid, rank in ranks.items():
                scores[rowid] = scores.get(rowid, 0.0) + 1.0 / (RRF_K + rank)
        # Equal scores (rank i in one list only, in either list): the vector side first, it sees meaning.
        best = sorted(scores, key=lambda r: (-scores[r], vec_rank.get(r, VEC0_MAX_K + 1), fts_rank.get(r, 0)))[:k]
        if not best:
            return []
        marks = ", ".join("?" * len(best))
        rows = self._query(f"SELECT rowid, {_COLUMNS} FROM memories WHERE rowid IN ({marks})", best)
        by_rowid = {row[0]: self._record(row[1:]) for row in rows}
        return [
            (r, MemoryHit(record=by_rowid[r], score=scores[r], vector_rank=vec_rank.get(r), keyword_rank=fts_rank.get(r)))
            for r in best
            if r in by_rowid
        ]

    def get(self, memory_id: str) -> MemoryRecord:
        rows = self._query(f"SELECT {_COLUMNS} FROM memories WHERE id = ?", (memory_id,))
        if not rows:
            raise NotFoundError(f"No memory with id {memory_id!r}.")
        return self._record(rows[0])

    def list(self, namespace: str = "memories", *, source: str | None = None, limit: int = 100,
             offset: int = 0) -> builtins.list[MemoryRecord]:
        """Records oldest first (by ``created``, then ``position``, then insertion)."""
        sql = f"SELECT {_COLUMNS} FROM memories WHERE namespace = ?"
        params: builtins.list[Any] = [namespace]
        if source is not None:
            sql += " AND source = ?"
            params.append(source)
        sql += " ORDER BY created, position, rowid LIMIT ? OFFSET ?"
        params += [max(limit, 0), max(offset, 0)]
        return [self._record(row) for row in self._query(sql, params)]

    def sources(self, namespace: str = "knowledge") -> dict[str, dict[str, Any]]:
        """Each source in ``namespace`` (sorted) with the metadata of its first record (e.g. the file's hash)."""
        rows = self._query(
            """SELECT source, metadata FROM (
                   SELECT source, metadata,
                          row_number() OVER (PARTITION BY source ORDER BY created, position, rowid) AS n
                   FROM memories WHERE namespace = ? AND source IS NOT NULL)
               WHERE n = 1 ORDER BY source""",
            (namespace,),
        )
        return {source: json.loads(metadata) for source, metadata in rows}

    def count(self, namespace: str | None = None) -> int:
        if namespace is None:
            return int(self._query("SELECT count(*) FROM memories")[0][0])
        return int(self._query("SELECT count(*) FROM memories WHERE namespace = ?", (namespace,))[0][0])

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    def __enter__(self) -> SQLiteMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SQLiteMemory({str(self.path)!r}, embedder={self.embedder.name!r})"
