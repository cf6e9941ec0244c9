"""Long-term memory on PostgreSQL + pgvector, for deployments where several agents share one memory.

Select it with ``memory_url: postgresql://user:password@host/db`` (``pip install 'autogpt[postgres]'``). The
server needs the pgvector extension; it is created (``CREATE EXTENSION IF NOT EXISTS vector``) on first use.

One table holds every namespace: the text, its ``vector(dim)`` embedding (HNSW index, cosine distance) and a
``tsvector`` of its keyword tokens (GIN index). A second table records which embedder built the vectors:
vectors of two embedders cannot be compared, so opening the memory with another one is refused.

Keyword search indexes the tokens of :func:`~autogpt.memory.text.keyword_tokens` *verbatim* (the ``simple``
semantics: lowercased, no stemming, no stopwords removed) rather than re-parsing them with ``to_tsvector``:
PostgreSQL's parser would cut them its own way ("sku-7731" into 'sku' and '-7731', a URL into three lexemes)
and the query would no longer agree with the index, nor with the SQLite backend. Codes made of parts
("sku-7731", "v1.2.3") are indexed whole *and* by part, so "7731" alone still finds them.

:meth:`PostgresMemory.search` fuses the vector top-N and the keyword top-N by reciprocal rank fusion (k=60),
like :class:`~autogpt.memory.sqlite.SQLiteMemory`. The keyword side ranks by the BM25 IDF of the matched
terms, then ``ts_rank``: ``ts_rank`` alone has no IDF, and an exact code would drown among common words.

One connection per memory, autocommit off, every operation one explicit transaction under a lock (the agent,
its tools and the server may share a memory across threads). A lost connection is reopened on the next call.
"""

from __future__ import annotations

import builtins
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from autogpt.errors import MemoryUnavailableError, NotFoundError
from autogpt.memory.base import Embedder, MemoryHit, MemoryRecord, NewMemory
from autogpt.memory.text import STOPWORDS, keyword_tokens

if TYPE_CHECKING:
    import psycopg

INSTALL_HINT = "pip install 'autogpt[postgres]'"
DEFAULT_TABLE = "autogpt_memory"
RRF_K = 60  # reciprocal rank fusion constant (the usual 60: a rank matters, the 1st vs 2nd not too much)
EMBED_BATCH = 32  # texts embedded per call in add_many
MAX_QUERY_TERMS = 64  # a long query (a whole task) need not OR hundreds of terms
MAX_LEXEME_CHARS = 200  # PostgreSQL refuses lexemes over 2 KB; a token that long is noise anyway
HNSW_EF_SEARCH = 200  # HNSW candidates per vector search: filtered namespaces need more than the default 40
CONNECT_TIMEOUT_S = 10

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,40}")
_TOKEN_PARTS = re.compile(r"[-_./:#]+")
_COLUMNS = "id, namespace, source, position, text, metadata, created"


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (URL userinfo, ``?password=``, ``password=`` keyword), so
    it can be shown in errors and logs. Masks too much rather than too little (up to the last ``@``)."""
    masked = re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:@/?#]*:)(.*)@", r"\1***@", url)
    return re.sub(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)", r"\1***", masked, flags=re.IGNORECASE)


def _tsv_lexemes(text: str) -> list[tuple[str, list[str]]]:
    """The keyword tokens of ``text``, each with its parts ("sku-7731" -> ["sku", "7731"]) to index too."""
    out = []
    for token in keyword_tokens(text):
        if len(token) > MAX_LEXEME_CHARS:
            continue
        parts = [p for p in _TOKEN_PARTS.split(token) if p and p != token]
        out.append((token, parts))
    return out


def _quote_lexeme(lexeme: str) -> str:
    """A lexeme quoted for tsvector/tsquery input: within quotes only ``'`` and ``\\`` are special."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(text: str) -> str:
    """The ``tsvector`` of ``text``: its keyword tokens verbatim, with positions (PostgreSQL caps them at
    16383), each code's parts at the code's position."""
    positions: dict[str, list[int]] = {}
    for i, (token, parts) in enumerate(_tsv_lexemes(text), start=1):
        pos = min(i, 16383)
        for lexeme in (token, *parts):
            at = positions.setdefault(lexeme, [])
            if not at or at[-1] != pos:
                at.append(pos)
    return " ".join(f"{_quote_lexeme(lex)}:{','.join(map(str, at[:256]))}" for lex, at in positions.items())


def query_terms(query: str) -> list[str]:
    """The distinct keyword tokens of ``query`` and their parts, each quoted as a ``tsquery`` lexeme, so
    nothing the user typed (``&``, ``!``, ``:*``, parentheses) is query syntax. Stopwords are dropped unless
    nothing else is left."""
    tokens = list(dict.fromkeys(t for t in keyword_tokens(query) if len(t) <= MAX_LEXEME_CHARS))
    useful = [t for t in tokens if t not in STOPWORDS] or tokens
    terms: dict[str, None] = {}
    for token in useful[:MAX_QUERY_TERMS]:
        terms[token] = None
        for part in _TOKEN_PARTS.split(token):
            if part and part not in STOPWORDS:
                terms[part] = None
    return [_quote_lexeme(t) for t in terms]


def tsquery_literal(query: str) -> str:
    """A ``tsquery`` OR-ing :func:`query_terms`; ``""`` when there is none (the keyword search is skipped)."""
    return " | ".join(query_terms(query))


class PostgresMemory:
    """Long-term memory in PostgreSQL with pgvector (see the module docstring).

    ``table`` names the memory's table (its meta table is ``<table>_meta``): several memories, e.g. with
    different embedders, can live in one database.
    """

    def __init__(self, url: str, embedder: Embedder, *, table: str = DEFAULT_TABLE) -> None:
        if not _TABLE_NAME.fullmatch(table):
            raise MemoryUnavailableError(
                f"Invalid memory table name {table!r}: letters, digits and '_' only, at most 41 characters."
            )
        self.url = url
        self.embedder = embedder
        self.table = table
        self._lock = threading.RLock()
        self._conn: psycopg.Connection[Any] | None = None
        self._closed = False
        self._vector_version: tuple[int, ...] = (0,)
        with self._lock:
            self._connection()  # fail now, at startup, rather than at the first search

    def __repr__(self) -> str:
        return (f"PostgresMemory({mask_url(self.url)!r}, table={self.table!r}, "
                f"embedder={self.embedder.name!r})")

    # --- connection ----------------------------------------------------------------------------------

    def _password(self) -> str | None:
        try:
            from psycopg.conninfo import conninfo_to_dict

            value = conninfo_to_dict(self.url).get("password")
        except Exception:
            return None
        return str(value) if value else None

    def _scrub(self, message: str) -> str:
        """An error message safe to show: psycopg may echo parts of the connection string."""
        password = self._password()
        if password and len(password) >= 4:  # a shorter one would garble the message and is no secret
            message = message.replace(password, "***")
        return mask_url(message).strip()

    def _unavailable(self, what: str, exc: BaseException) -> MemoryUnavailableError:
        detail = self._scrub(str(exc))
        return MemoryUnavailableError(f"{what} PostgreSQL memory at {mask_url(self.url)}: {detail}")

    def _connection(self) -> psycopg.Connection[Any]:
        """The open connection, (re)connecting and preparing the schema when there is none."""
        if self._closed:
            raise MemoryUnavailableError(f"The PostgreSQL memory at {mask_url(self.url)} is closed.")
        if self._conn is not None and not self._conn.closed and not self._conn.broken:
            return self._conn
        try:
            import psycopg
            from pgvector.psycopg import register_vector
        except ImportError as exc:
            raise MemoryUnavailableError(
                f"A postgresql:// memory_url needs psycopg and pgvector ({exc.name} is missing): "
                f"{INSTALL_HINT}"
            ) from None
        kwargs: dict[str, Any] = {"autocommit": False}
        if "connect_timeout" not in self.url:
            kwargs["connect_timeout"] = CONNECT_TIMEOUT_S
        if "application_name" not in self.url:
            kwargs["application_name"] = "autogpt"
        try:
            conn = psycopg.connect(self.url, **kwargs)
        except psycopg.Error as exc:
            raise self._unavailable("Cannot connect to the", exc) from None
        try:
            self._prepare(conn)
            register_vector(conn)
            conn.commit()
        except MemoryUnavailableError:
            conn.close()
            raise
        except psycopg.Error as exc:
            conn.close()
            raise self._unavailable("Cannot prepare the", exc) from None
        self._conn = conn
        return conn

    def _prepare(self, conn: psycopg.Connection[Any]) -> None:
        """Create the extension, the tables and the indexes if missing, and check the embedder; one
        transaction under an advisory lock, so agents starting together do not race."""
        import psycopg
        from psycopg import sql

        dim = int(self.embedder.dim)
        table = sql.Identifier(self.table)
        meta = sql.Identifier(f"{self.table}_meta")
        with conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(hashtext('autogpt.memory.schema'))")
            cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
            row = cur.fetchone()
            if row is None:
                try:
                    cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
                except psycopg.Error as exc:
                    conn.rollback()
                    raise MemoryUnavailableError(
                        f"PostgreSQL at {mask_url(self.url)} cannot enable pgvector "
                        f"({self._scrub(str(exc))}). "
                        "Install pgvector on the server (https://github.com/pgvector/pgvector), or have a "
                        "superuser run: CREATE EXTENSION vector;"
                    ) from None
                cur.execute("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
                row = cur.fetchone()
            self._vector_version = tuple(int(p) for p in re.findall(r"\d+", str(row[0]) if row else "0")[:3])
            cur.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, value text NOT NULL)")
                        .format(meta))
            cur.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} ("
                " id text PRIMARY KEY,"
                " namespace text NOT NULL,"
                " source text,"
                " position integer NOT NULL DEFAULT 0,"
                " text text NOT NULL,"
                " metadata jsonb NOT NULL DEFAULT '{{}}'::jsonb,"
                " created double precision NOT NULL,"
                " embedding vector({}) NOT NULL,"
                " tsv tsvector NOT NULL)"
            ).format(table, sql.Literal(dim)))
            for suffix, definition in (
                ("ns_idx", "(namespace, source, created, position)"),
                ("embedding_idx", "USING hnsw (embedding vector_cosine_ops)"),
                ("tsv_idx", "USING gin (tsv)"),
            ):
                cur.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} " + definition)
                            .format(sql.Identifier(f"{self.table}_{suffix}"), table))
            cur.execute(sql.SQL("SELECT key, value FROM {}").format(meta))
            stored = dict(cur.fetchall())
            if not stored:
                cur.executemany(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s)").format(meta),
                                [("embedder", self.embedder.name), ("dim", str(dim))])
            elif stored.get("embedder") != self.embedder.name or stored.get("dim") != str(dim):
                conn.rollback()
                raise MemoryUnavailableError(
                    f"The memory in {mask_url(self.url)} (table {self.table}) was built with the embedder "
                    f"{stored.get('embedder')} ({stored.get('dim')} dimensions), not {self.embedder.name} "
                    f"({dim}): their vectors cannot be compared. Use the same embedder, or another database "
                    "or table."
                )
        conn.commit()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor[Any]]:
        """A cursor in one transaction: committed when the block ends, rolled back if it raises. A lost
        connection raises :class:`MemoryUnavailableError` (and is reopened by the next call)."""
        import psycopg

        with self._lock:
            conn = self._connection()
            try:
                with conn.cursor() as cur:
                    yield cur
                conn.commit()
            except BaseException as exc:
                if not conn.closed and not conn.broken:
                    try:
                        conn.rollback()
                    except psycopg.Error:
                        conn.close()
                if isinstance(exc, psycopg.OperationalError):
                    raise self._unavailable("Lost the", exc) from None
                raise

    # --- writing -------------------------------------------------------------------------------------

    def _vectors(self, texts: Sequence[str], *, query: bool = False) -> builtins.list[Any]:
        from pgvector import Vector

        texts = list(texts)
        if query:
            rows = self.embedder.embed_queries(texts)
        else:
            rows = []
            for i in range(0, len(texts), EMBED_BATCH):
                rows.extend(self.embedder.embed_passages(texts[i : i + EMBED_BATCH]))
        return [Vector(list(r)) for r in rows]

    def add(self, text: str, *, namespace: str = "memories", source: str | None = None, position: int = 0,
            metadata: dict[str, Any] | None = None) -> MemoryRecord:
        item = NewMemory(text=_check_text(text), namespace=namespace, source=source, position=position,
                         metadata=metadata or {})
        return self.add_many([item])[0]

    def add_many(self, items: Sequence[NewMemory]) -> builtins.list[MemoryRecord]:
        """Embed first (in batches, outside the lock: searches go on meanwhile), then insert every record in
        one short transaction."""
        from psycopg import sql
        from psycopg.types.json import Jsonb

        now = time.time()
        # One timestamp per batch, a microsecond apart: "oldest first" keeps the order they were given in.
        records = [MemoryRecord(**item.model_dump(), created=now + i * 1e-6) for i, item in enumerate(items)]
        for record in records:
            _check_text(record.text)
        if not records:
            return []
        vectors = self._vectors([r.text for r in records])
        rows = [(r.id, r.namespace, r.source, r.position, r.text, Jsonb(r.metadata), r.created, v,
                 tsvector_literal(r.text)) for r, v in zip(records, vectors, strict=True)]
        with self._transaction() as cur:
            cur.executemany(sql.SQL(
                "INSERT INTO {} (id, namespace, source, position, text, metadata, created, embedding, tsv) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s::tsvector)"
            ).format(sql.Identifier(self.table)), rows)
        return records

    def update(self, memory_id: str, *, text: str | None = None,
               metadata: dict[str, Any] | None = None) -> MemoryRecord:
        """Replace the text (re-embedded, re-indexed) and/or the metadata (replaced whole) of a record."""
        from psycopg import sql
        from psycopg.types.json import Jsonb

        sets: list[sql.Composable] = []
        params: list[Any] = []
        if text is not None:
            _check_text(text)
            self.get(memory_id)  # NotFoundError before spending an embedding
            sets += [sql.SQL("text = %s"), sql.SQL("embedding = %s"), sql.SQL("tsv = %s::tsvector")]
            params += [text, self._vectors([text])[0], tsvector_literal(text)]
        if metadata is not None:
            sets.append(sql.SQL("metadata = %s"))
            params.append(Jsonb(metadata))
        if not sets:
            return self.get(memory_id)
        with self._transaction() as cur:
            cur.execute(sql.SQL("UPDATE {} SET {} WHERE id = %s RETURNING " + _COLUMNS)
                        .format(sql.Identifier(self.table), sql.SQL(", ").join(sets)), [*params, memory_id])
            row = cur.fetchone()
        if row is None:
            raise NotFoundError(f"No memory with id {memory_id!r}.")
        return _record(row)

    def delete(self, memory_id: str) -> None:
        from psycopg import sql

        with self._transaction() as cur:
            cur.execute(sql.SQL("DELETE FROM {} WHERE id = %s").format(sql.Identifier(self.table)),
                        [memory_id])
            deleted = cur.rowcount
        if not deleted:
            raise NotFoundError(f"No memory with id {memory_id!r}.")

    def delete_source(self, source: str, *, namespace: str = "knowledge") -> int:
        from psycopg import sql

        with self._transaction() as cur:
            cur.execute(sql.SQL("DELETE FROM {} WHERE namespace = %s AND source = %s")
                        .format(sql.Identifier(self.table)), [namespace, source])
            return max(cur.rowcount, 0)

    # --- reading -------------------------------------------------------------------------------------

    def get(self, memory_id: str) -> MemoryRecord:
        from psycopg import sql

        with self._transaction() as cur:
            cur.execute(sql.SQL("SELECT " + _COLUMNS + " FROM {} WHERE id = %s")
                        .format(sql.Identifier(self.table)), [memory_id])
            row = cur.fetchone()
        if row is None:
            raise NotFoundError(f"No memory with id {memory_id!r}.")
        return _record(row)

    def list(self, namespace: str = "memories", *, source: str | None = None, limit: int = 100,
             offset: int = 0) -> builtins.list[MemoryRecord]:
        """Records oldest first (by ``created``, then ``position``; one ``add_many`` keeps its order)."""
        from psycopg import sql

        where, params = _filter(namespace, source)
        with self._transaction() as cur:
            cur.execute(sql.SQL("SELECT " + _COLUMNS + " FROM {} WHERE {} ORDER BY created, position, id "
                                "LIMIT %s OFFSET %s").format(sql.Identifier(self.table), where),
                        [*params, max(limit, 0), max(offset, 0)])
            return [_record(row) for row in cur.fetchall()]

    def sources(self, namespace: str = "knowledge") -> dict[str, dict[str, Any]]:
        """Each source in ``namespace`` (sorted) with the metadata of its first (oldest) record, e.g. the
        file's hash."""
        from psycopg import sql

        with self._transaction() as cur:
            cur.execute(sql.SQL("SELECT DISTINCT ON (source) source, metadata FROM {} "
                                "WHERE namespace = %s AND source IS NOT NULL "
                                "ORDER BY source, created, position, id")
                        .format(sql.Identifier(self.table)), [namespace])
            return {source: dict(metadata or {}) for source, metadata in cur.fetchall()}

    def count(self, namespace: str | None = None) -> int:
        from psycopg import sql

        with self._transaction() as cur:
            if namespace is None:
                cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(self.table)))
            else:
                cur.execute(sql.SQL("SELECT count(*) FROM {} WHERE namespace = %s")
                            .format(sql.Identifier(self.table)), [namespace])
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def search(self, query: str, *, namespace: str = "memories", k: int = 5,
               source: str | None = None) -> builtins.list[MemoryHit]:
        """The ``k`` records most relevant to ``query`` in ``namespace`` (only from ``source`` if given): the
        vector top-N and the keyword top-N (N = max(50, 5k), as in SQLite), fused by reciprocal rank."""
        from psycopg import sql

        if k <= 0 or not query.strip():
            return []
        n = max(50, 5 * k)
        vector = self._vectors([query], query=True)[0]  # before the lock: embedding is the slow part
        terms = query_terms(query)
        table = sql.Identifier(self.table)
        where = sql.SQL("namespace = %(ns)s" if source is None else "namespace = %(ns)s AND source = %(src)s")
        params: dict[str, Any] = {"ns": namespace, "src": source, "vec": vector, "n": n,
                                  "terms": terms, "query": " | ".join(terms)}
        with self._transaction() as cur:
            # HNSW filters *after* its candidate list: a small namespace beside a big one may get too few
            # rows, so widen the list, and use pgvector's iterative scan where it has one (>= 0.8).
            ef_search = min(max(HNSW_EF_SEARCH, n), 1000)  # pgvector's maximum
            cur.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(ef_search)])
            if self._vector_version >= (0, 8):
                cur.execute("SELECT set_config('hnsw.iterative_scan', 'strict_order', true)")
            vector_sql = sql.SQL("SELECT id FROM {} WHERE {} ORDER BY embedding <=> %(vec)s LIMIT %(n)s")
            vector_sql = vector_sql.format(table, where)
            cur.execute(vector_sql, params)
            vector_ids = [r[0] for r in cur.fetchall()]
            if len(vector_ids) < n:
                # Fewer than asked: either the namespace is that small, or the index lost rows to the filter.
                # An exact scan (the namespace index, then a sort) settles it.
                cur.execute("SELECT set_config('enable_indexscan', 'off', true)")
                cur.execute(vector_sql, params)
                vector_ids = [r[0] for r in cur.fetchall()]
                cur.execute("SELECT set_config('enable_indexscan', 'on', true)")
            keyword_ids: list[str] = []
            if terms:
                cur.execute(sql.SQL(_KEYWORD_SQL).format(table=table, where=where), params)
                keyword_ids = [r[0] for r in cur.fetchall()]
            vector_rank = {mid: i for i, mid in enumerate(vector_ids, start=1)}
            keyword_rank = {mid: i for i, mid in enumerate(keyword_ids, start=1)}
            scores = {mid: 1.0 / (RRF_K + rank) for mid, rank in vector_rank.items()}
            for mid, rank in keyword_rank.items():
                scores[mid] = scores.get(mid, 0.0) + 1.0 / (RRF_K + rank)
            # Equal scores (rank i in one list only): the vector side first, it sees meaning.
            inf = len(scores) + 1
            best = sorted(scores, key=lambda m: (-scores[m], vector_rank.get(m, inf),
                                                 keyword_rank.get(m, inf)))[:k]
            if not best:
                return []
            cur.execute(sql.SQL("SELECT " + _COLUMNS + " FROM {} WHERE id = ANY(%s)").format(table), [best])
            records = {row[0]: _record(row) for row in cur.fetchall()}
            # Cosine similarity of every hit: callers decide with it whether a hit is relevant at all.
            cur.execute(sql.SQL("SELECT id, 1 - (embedding <=> %s) FROM {} WHERE id = ANY(%s)").format(table),
                        [vector, best])
            similarity = {row[0]: round(float(row[1]), 4) for row in cur.fetchall()}
        return [MemoryHit(record=records[m], score=scores[m], vector_rank=vector_rank.get(m),
                          keyword_rank=keyword_rank.get(m), similarity=similarity.get(m))
                for m in best if m in records]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self) -> PostgresMemory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The keyword top-N. ts_rank alone counts matches but not how *rare* a term is (it has no IDF): in "the order
# status of SKU-7731", "order" and "status" would weigh as much as the code, and the records about other
# orders would win. So records are ranked by the summed BM25 IDF of the query terms they contain (the
# document frequencies counted in the namespace, through the GIN index), then by ts_rank (how often, and in
# how short a text), then oldest first.
_KEYWORD_SQL = (
    "WITH terms AS MATERIALIZED ("
    " SELECT q, ln(1 + (total - df + 0.5) / (df + 0.5)) AS idf FROM ("
    "  SELECT q, (SELECT count(*) FROM {table} WHERE {where} AND tsv @@ q)::float8 AS df,"
    "   (SELECT count(*) FROM {table} WHERE {where})::float8 AS total"
    "  FROM unnest(CAST(%(terms)s AS tsquery[])) AS q OFFSET 0) AS c)"  # OFFSET 0: count each df once
    " SELECT id FROM {table}, CAST(%(query)s AS tsquery) AS qall WHERE {where} AND tsv @@ qall"
    " ORDER BY (SELECT sum(idf) FROM terms WHERE tsv @@ terms.q) DESC, ts_rank(tsv, qall, 1) DESC,"
    " created, id"
    " LIMIT %(n)s"
)


def _check_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise ValueError("A memory's text must not be empty.")
    return text


def _filter(namespace: str, source: str | None) -> tuple[Any, list[Any]]:
    """The WHERE clause (and its parameters) of a namespace and an optional source."""
    from psycopg import sql

    if source is None:
        return sql.SQL("namespace = %s"), [namespace]
    return sql.SQL("namespace = %s AND source = %s"), [namespace, source]


def _record(row: Sequence[Any]) -> MemoryRecord:
    mid, namespace, source, position, text, metadata, created = row
    return MemoryRecord(id=mid, namespace=namespace, source=source, position=position, text=text,
                        metadata=dict(metadata or {}), created=created)
