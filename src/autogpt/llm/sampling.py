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
