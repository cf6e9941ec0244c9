"""Grammar-constrained sampling that checks the chosen token first, as llama.cpp's own server samples.

llama-cpp-python puts the reply's grammar inside its sampler chain, so every generated token runs the grammar
over the whole vocabulary (~150,000 tokens for Qwen2.5) before a token is chosen: about a quarter of a reply's
generation time on two cores. llama.cpp's common sampler (``common_sampler_sample``, used by ``llama-server``)
does it the other way round: choose a token with the usual chain (penalties, top-k/p, temperature), then ask the
grammar about that one token; only when the grammar refuses it is the whole vocabulary filtered and the token
chosen again. With a JSON reply the model's own choice is almost always allowed, so the grammar costs one
token's check instead of the vocabulary's. Every token is still one the grammar allows.
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

import numpy as np


class CheckFirstSampler:
    """One reply's sampling: ``chain`` (a llama-cpp-python ``LlamaSampler`` without the grammar) and ``grammar``
    (a ``LlamaSampler`` holding only the grammar). :meth:`sample` chooses one token and moves both on with it."""

    def __init__(self, n_vocab: int, chain: Any, grammar: Any) -> None:
        import llama_cpp

        self._lib = llama_cpp
        self.chain, self.grammar = chain, grammar
        self.n_vocab = n_vocab
        self._data = (llama_cpp.llama_token_data * n_vocab)()
        self._view = np.ctypeslib.as_array(self._data)  # a structured array over the same memory: id, logit, p
        self._ids = np.arange(n_vocab, dtype=self._view.dtype["id"])
        self._one = (llama_cpp.llama_token_data * 1)()
        self.checked = 0  # tokens the grammar allowed at once
        self.resampled = 0  # tokens chosen again from the grammar's allowed set

    def _candidates(self, ctx: Any, idx: int) -> Any:
        logits = self._lib.llama_get_logits_ith(ctx, idx)
        self._view["id"] = self._ids
        self._view["logit"] = np.ctypeslib.as_array(logits, shape=(self.n_vocab,))
        self._view["p"] = 0.0
        return self._lib.llama_token_data_array(data=self._data, size=self.n_vocab, selected=-1, sorted=False)

    def _allowed(self, token: int) -> bool:
        self._one[0].id, self._one[0].logit, self._one[0].p = token, 1.0, 0.0
        single = self._lib.llama_token_data_array(data=self._one, size=1, selected=-1, sorted=False)
        self._lib.llama_sampler_apply(self.grammar.sampler, ctypes.byref(single))
        return not math.isinf(self._one[0].logit)

    def sample(self, ctx: Any, idx: int) -> int:
        """The next token from the logits at ``idx`` (negative: from the end of the last batch)."""
        candidates = self._candidates(ctx, idx)
        self._lib.llama_sampler_apply(self.chain.sampler, ctypes.byref(candidates))
        token = int(self._data[candidates.selected].id)
        if self._allowed(token):
            self.checked += 1
        else:  # the grammar refuses the model's choice: choose again among the tokens it allows
            self.resampled += 1
            candidates = self._candidates(ctx, idx)
            self._lib.llama_sampler_apply(self.grammar.sampler, ctypes.byref(candidates))
            self._lib.llama_sampler_apply(self.chain.sampler, ctypes.byref(candidates))
            token = int(self._data[candidates.selected].id)
        self._lib.llama_sampler_accept(self.grammar.sampler, token)
        self._lib.llama_sampler_accept(self.chain.sampler, token)
        return token


class PromptLookup:
    """Prompt-lookup drafts for speculative decoding: the tokens that followed the latest earlier occurrence of the
    reply's last few tokens. An agent's reply copies much of its prompt (paths, file contents, the JSON keys and
    plan of its earlier replies), so these guesses are often right; llama-cpp-python's ``Llama.generate`` evaluates
    them with the next token in one batch and keeps each one the sampler would have chosen anyway, so the reply is
    the one it would have been without drafts.

    A batch of tokens costs more than one token on a CPU (two cores, the 1.5B model, ~2k tokens of context, AVX-512:
    1 token ~80 ms, 2 ~120 ms, 4 ~130 ms, 8 ~230 ms), so a draft is made only from a match of at least ``min_match``
    tokens, where most guesses hold, and is at most ``max_tokens`` long: on recorded agent replies, 3 and 3 saved
    the most time (~30 % of generation; about 70 % of the drafted tokens kept). ``Llama.generate`` calls this with
    every token so far (prompt and reply); the result is an ``np.intc`` array, empty for no draft.
    """

    def __init__(self, max_tokens: int = 3, min_match: int = 3, max_match: int = 8) -> None:
        self.max_tokens, self.min_match, self.max_match = max_tokens, min_match, max_match
        self.drafted = 0  # draft tokens proposed
        self.accepted = 0  # draft tokens the sampler chose too (counted at the next call)
        self._last: tuple[int, np.ndarray] | None = None  # where the last draft started, and the draft

    def __call__(self, tokens: np.ndarray, /, **_: Any) -> np.ndarray:
        tokens = np.asarray(tokens, dtype=np.intc)
        self._count_accepted(tokens)
        draft = self.draft(tokens)
        self.drafted += len(draft)
        self._last = (len(tokens), draft) if len(draft) else None
        return draft

    def draft(self, tokens: np.ndarray) -> np.ndarray:
        """The tokens after the longest (then latest) earlier match of the last ``min_match``..``max_match`` tokens."""
        n = len(tokens)
        if n <= self.min_match or self.max_tokens <= 0:
            return np.empty(0, dtype=np.intc)
        suffix = tokens[n - self.min_match:]
        windows = np.lib.stride_tricks.sliding_window_view(tokens[: n - 1], self.min_match)
        starts = np.flatnonzero((windows == suffix).all(axis=1))  # earlier occurrences of the last min_match tokens
        if not len(starts):
            return np.empty(0, dtype=np.intc)
        best, best_length = -1, 0
        for start in starts[::-1]:  # latest first: the longest match backwards, up to max_match
            length = self.min_match
            while (length < self.max_match and start - (length - self.min_match) > 0
                   and tokens[start - (length - self.min_match) - 1] == tokens[n - length - 1]):
                length += 1
            if length > best_length:
                best, best_length = int(start), length
                if length == self.max_match:
                    break
        follows = best + self.min_match
        return tokens[follows: min(follows + self.max_tokens, n)].copy()

    def _count_accepted(self, tokens: np.ndarray) -> None:
        if self._last is None:
            return
        start, draft = self._last
        got = tokens[start: start + len(draft)]
        self.accepted += int(np.cumprod(got == draft[: len(got)]).sum()) if len(got) else 0
        self._last = None
