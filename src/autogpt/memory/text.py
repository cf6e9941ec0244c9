"""Text helpers of long-term memory: keyword tokens (Chinese segmented), safe FTS5 queries, chunking.

SQLite's ``unicode61`` tokenizer splits on spaces and punctuation only, so a Chinese sentence would be one
huge token. :func:`keyword_tokens` segments Chinese with jieba (``cut_for_search``: the long words *and* their
parts, so "数据库" is found by "数据") and the backends index those tokens joined by spaces; the same function
turns a query into tokens, so both sides agree.
"""

from __future__ import annotations

import bisect
import logging
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Sequence

# Han ideographs (CJK unified, extension A, compatibility).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A word: letters and digits of any script but Han (and not "_", which Python counts as a word char).
_WORD = rf"[^\W_{_HAN}]+"
# Codes and identifiers stay whole: "ab-1234", "v1.2.3", "x.com/path", "foo_bar".
_TOKEN_RE = re.compile(rf"(?P<word>{_WORD}(?:[-_./:#]{_WORD})*)|(?P<han>[{_HAN}]+)")

# Words too common to help a keyword search: an OR query would match nearly everything on them. Only queries
# drop them; the index keeps every token.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being below
    between both but by can cannot could d did do does doing down during each few for from further get got had
    has have having he her here hers herself him himself his how i if in into is it its itself just ll m me
    more most much my myself no nor not now of off on once only or other ought our ours ourselves out over own
    re s same she should so some such t than that the their theirs them themselves then there these they this
    those through to too under until up ve very was we were what when where which while who whom why will with
    would you your yours yourself yourselves
    的 地 得 了 着 过 是 在 我 你 他 她 它 我们 你们 他们 吗 呢 吧 啊 呀 和 与 及 或 也 都 就 还 又 很 把 被 给 让 这 那
    这个 那个 有 没 没有 一个 什么 什么样 怎么 怎么办 怎么样 怎样 如何 为什么 哪 哪个 哪些 哪里 多少 多久 时候 能 可以 会
    要 想 请 问 到 里 上 下 中 个 之 为 而 且 但 所以 因为 如果""".split()
)

_MAX_QUERY_TOKENS = 64

_segment_lock = threading.Lock()
_segment: Callable[[str], Iterable[str]] | None = None


def _segmenter() -> Callable[[str], Iterable[str]]:
    """jieba's ``cut_for_search``, loaded (quietly) on first use: importing it costs ~1 s, and only
    Chinese text needs it. Without jieba, Han runs fall back to single characters and bigrams."""
    global _segment
    if _segment is None:
        with _segment_lock:
            if _segment is None:
                try:
                    import jieba
                except ImportError:
                    _segment = _bigrams
                else:
                    jieba.setLogLevel(logging.WARNING)  # else "Building prefix dict..." lands on stderr
                    logging.getLogger("jieba").setLevel(logging.WARNING)
                    jieba.initialize()
                    _segment = jieba.cut_for_search
    return _segment


def _bigrams(run: str) -> list[str]:
    return list(run) + [run[i : i + 2] for i in range(len(run) - 1)]


def keyword_tokens(text: str) -> list[str]:
    """The keyword tokens of ``text``, lowercased, in order (with repeats).

    Latin words, numbers and codes are kept whole ("SKU-7731" -> "sku-7731"; full-width forms are folded
    to ASCII first); Chinese is segmented with jieba; punctuation and spaces are dropped.
    """
    if not text:
        return []
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    for m in _TOKEN_RE.finditer(text):
        word = m.group("word")
        if word is not None:
            tokens.append(word)
            continue
        for tok in _segmenter()(m.group("han")):
            tok = tok.strip()
            if tok:
                tokens.append(tok)
    return tokens


def index_text(text: str) -> str:
    """The text an FTS5 ``unicode61`` column indexes: the keyword tokens joined by spaces."""
    return " ".join(keyword_tokens(text))


def query_tokens(text: str) -> list[str]:
    """The distinct keyword tokens a search for ``text`` looks for: stopwords dropped unless nothing else
    is left, at most 64."""
    tokens = list(dict.fromkeys(keyword_tokens(text)))
    return ([t for t in tokens if t not in STOPWORDS] or tokens)[:_MAX_QUERY_TOKENS]


def fts_query(text: str) -> str:
    """A safe FTS5 MATCH expression for ``text``: its :func:`query_tokens`, each quoted, OR-ed.

    Quoting makes every token a literal phrase, so FTS5 syntax in the input (``"``, ``*``, ``NEAR``, ``AND``,
    ``-``, ``:``, parentheses) is just text. Returns ``""`` when ``text`` has no token at all: the caller
    skips the keyword search then.
    """
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in query_tokens(text))


_SUBWORD_RE = re.compile(r"[^\W_]+")  # what unicode61 (and a tsvector) would see as separate words
_CODE_RE = re.compile(r"\d|[-_./:#]")  # numbers, codes, identifiers, file names, URLs

KEYWORD_MIN_COVERAGE = 0.5


def _phrase(token: str) -> str:
    return " " + " ".join(_SUBWORD_RE.findall(token)) + " "


def strong_keyword_match(tokens: Sequence[str], indexed: str, min_coverage: float | None = None) -> bool:
    """Whether a keyword hit is worth fusing with the vector ranking: it matches a code or number of the
    query ("SKU-7731", "E-42", "v1.2"), or at least ``min_coverage`` of the query's :func:`query_tokens`.

    Why: the keyword query ORs every token, so a record sharing one incidental word with a long question
    ("open", "account") still ranks in it, and in reciprocal rank fusion any second list lifts a record
    above better vector matches. Exact codes are what keyword search is for; other words must agree enough.
    ``indexed`` is the record's :func:`index_text` (keyword tokens joined by spaces); ``min_coverage``
    defaults to :data:`KEYWORD_MIN_COVERAGE` (0 lets every hit count).
    """
    if min_coverage is None:
        min_coverage = KEYWORD_MIN_COVERAGE
    if not tokens:
        return False
    body = _phrase(indexed)
    matched = [t for t in tokens if _phrase(t).strip() and _phrase(t) in body]
    if not matched:
        return False
    if any(_CODE_RE.search(t) for t in matched):
        return True
    return len(matched) >= min_coverage * len(tokens)


# --- chunking ------------------------------------------------------------------------------------------

# Where a chunk may end, best first: a paragraph, a line, a sentence, a clause (Chinese has no spaces), a word.
_BOUNDARIES: tuple[tuple[int, re.Pattern[str]], ...] = (
    (5, re.compile(r"\n[ \t\r\f\v]*\n\s*")),
    (4, re.compile(r"\n\s*")),
    (3, re.compile(r"[.!?]+[\"'’”)\]]*\s+|[。！？…]+[”’」』）)]*\s*")),
    (2, re.compile(r"[;；:：]\s*")),
    (1, re.compile(r"[,，、]\s*")),
    (0, re.compile(r"\s+")),
)


def chunk_text(text: str, max_chars: int = 800, overlap: int = 100) -> list[str]:
    """Split ``text`` into chunks of at most ``max_chars`` characters, for embedding.

    A chunk ends at the best boundary in the second half of its window (paragraph > line > sentence, English
    or Chinese > clause > word; a hard cut only when there is none), and the next one starts up to ``overlap``
    characters earlier, at a sentence or word boundary where possible, so a fact cut in two is still whole in
    one chunk. Every non-space character of ``text`` is in some chunk; chunks are stripped slices of ``text``
    (:func:`chunk_spans` gives where).
    """
    return [text[start:end] for start, end in chunk_spans(text, max_chars, overlap)]


def chunk_spans(text: str, max_chars: int = 800, overlap: int = 100) -> list[tuple[int, int]]:
    """The ``(start, end)`` offsets of :func:`chunk_text`'s chunks in ``text`` (e.g. to cite a chunk)."""
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    if not 0 <= overlap < max_chars:
        raise ValueError("overlap must be at least 0 and less than max_chars")
    n = len(text)
    level: dict[int, int] = {}
    for lvl, pattern in _BOUNDARIES:
        for m in pattern.finditer(text):
            if 0 < m.end() < n:
                level[m.end()] = max(level.get(m.end(), -1), lvl)
    cuts = sorted(level)

    def in_range(lo: int, hi: int) -> list[int]:
        """Boundary positions p with lo < p <= hi."""
        return cuts[bisect.bisect_right(cuts, lo) : bisect.bisect_right(cuts, hi)]

    spans: list[tuple[int, int]] = []
    start = end = 0
    while end < n:
        if n - start <= max_chars:
            new_end = n
        else:
            # End past the previous chunk's end (so every chunk brings new text), preferably in the second
            # half of the window (so chunks are not tiny), at the best boundary there, the latest among equals.
            limit = start + max_chars
            window = in_range(max(start + max_chars // 2, end), limit) or in_range(end, limit)
            new_end = max(window, key=lambda p: (level[p], p)) if window else limit
        a, b = start, new_end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b and (not spans or b > spans[-1][1]):  # not blank, not inside the previous chunk
            spans.append((a, b))
        end = new_end
        start = _overlap_start(start, end, overlap, in_range, level) if end < n else end
    return spans


def _overlap_start(start: int, end: int, overlap: int, in_range: Callable[[int, int], list[int]],
                   level: dict[int, int]) -> int:
    """Where the chunk after ``text[start:end]`` starts: the earliest sentence (else word) boundary within the
    last ``overlap`` characters, else exactly ``overlap`` back (text without spaces), and never at or before
    the previous chunk's start."""
    if overlap == 0:
        return end
    lo = max(start, end - overlap)
    candidates = in_range(lo, end - 1)
    for min_level in (3, 0):
        good = [p for p in candidates if level[p] >= min_level]
        if good:
            return good[0]
    return lo if lo > start else end
