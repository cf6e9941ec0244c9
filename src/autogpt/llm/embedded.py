"""The embedded model: llama.cpp (llama-cpp-python) running a local GGUF file on the CPU.

* Replies are constrained by the reply's JSON schema (llama.cpp grammar), so every reply parses.
* One ``Llama`` instance per model file is kept for the whole process, so the KV cache of the unchanged
  prompt prefix is reused between steps (llama-cpp-python matches the longest common token prefix).
* Generation runs in a worker thread; the event loop stays free, tokens stream out, and a cancelled
  call stops generating at the next token.
* Speculative decoding from the prompt: tokens the reply is likely to copy from its prompt (a path, a file's
  lines, its earlier replies' JSON keys) are guessed and checked in one batch with the next token, and kept only where
  the sampler chooses them too (:class:`~autogpt.llm.sampling.PromptLookup`, ``draft_tokens`` in the settings).
* A reply that falls into a loop is stopped early (finish reason ``"repetition"``), not at the token limit.
* Each call says where its time went (:class:`~autogpt.llm.base.Timing`): llama.cpp's own counters
  (``llama_perf_context``: prompt evaluation and generation, with the number of tokens each evaluated) and the
  time spent sampling, read before and after the call (see :func:`call_usage`).
* With a ``seed``, each request samples with a seed derived from it and the request itself: the same prompt
  gives the same reply whatever ran before it in the process (llama.cpp's own seed moves on with every call,
  and the loaded model is shared by every agent in the process).
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autogpt.errors import ConfigError, ModelError, ModelUnavailableError
from autogpt.llm.assets import EmbeddedModelSpec, check_gguf, ensure_model_file
from autogpt.llm.base import (
    DEFAULT_REPEAT_PENALTY,
    REPEATING,
    Completion,
    Model,
    ModelRequest,
    StatusCallback,
    Timing,
    Usage,
    repeats_itself,
    request_seed,
)
from autogpt.llm.sampling import CheckFirstSampler, PromptLookup

_LOADED: dict[tuple[str, int, int, str], tuple[Any, threading.Lock]] = {}
_LOADED_LOCK = threading.Lock()

# llama.cpp's own names for the sampling parameters we expose beyond the common ones.
_EXTRA = {"top_k": int, "min_p": float, "repeat_penalty": float, "presence_penalty": float, "frequency_penalty": float}



@functools.cache
def timed_llama_class() -> type:
    """llama-cpp-python's ``Llama``, sampling a grammar-constrained reply by checking the chosen token first
    (:class:`~autogpt.llm.sampling.CheckFirstSampler`), drafting tokens from the prompt
    (:class:`~autogpt.llm.sampling.PromptLookup`, when ``lookup`` is set) and adding up the time it spends sampling
    and checking drafts (raises ImportError without llama-cpp-python).

    llama.cpp times a sampler chain only when the chain is made with ``no_perf`` off, and the chains
    llama-cpp-python makes leave it on (``llama_perf_sampler`` reads 0): so each ``sample`` call is timed here,
    one token chosen: the logits read, the chain applied (repetition penalty, top-k/p, temperature), the grammar
    asked and the token accepted (the grammar moves on).

    Drafts go through ``Llama.generate``'s own speculative loop (its ``draft_model``), but not through its
    constructor, which would then keep the logits of every token evaluated (a 5 GB buffer for 8k tokens of
    context): :meth:`eval` asks llama.cpp for logits only where a draft is checked.
    """
    from llama_cpp import Llama
    from llama_cpp._internals import LlamaSampler

    class TimedLlama(Llama):  # type: ignore[misc]
        sample_seconds = 0.0
        samples = 0
        draft_seconds = 0.0  # evaluating a token with its draft (llama.cpp counts these batches as prompt)
        draft_evals = 0
        prompt_tokens = 0  # the last call's prompt
        check_first: CheckFirstSampler | None = None
        lookup: PromptLookup | None = None
        _checking = 0  # tokens in the next eval that need their logits (a token and its draft)

        def _init_sampler(self, *args: Any, grammar: Any = None, **kwargs: Any) -> Any:
            chain = super()._init_sampler(*args, grammar=None, **kwargs)
            self.check_first = None
            if grammar is not None:  # the grammar apart from the chain: see CheckFirstSampler
                only_grammar = LlamaSampler()
                only_grammar.add_grammar(self._model, grammar)
                self.check_first = CheckFirstSampler(self.n_vocab(), chain, only_grammar)
            return chain

        def generate(self, tokens: Sequence[int], *args: Any, **kwargs: Any) -> Any:
            self.prompt_tokens, self._checking = len(tokens), 0
            self.draft_model = self._draft if self.lookup is not None else None
            return super().generate(tokens, *args, **kwargs)

        def _draft(self, tokens: Any) -> Any:
            assert self.lookup is not None
            draft = self.lookup(tokens)[: max(0, self._n_ctx - len(tokens) - 1)]
            self._checking = 1 + len(draft) if len(draft) else 0
            return draft

        def eval(self, tokens: Sequence[int]) -> None:
            checking, self._checking = self._checking, 0
            if not checking or len(tokens) != checking or checking > self.n_batch:
                return super().eval(tokens)
            started = time.perf_counter()
            self._ctx.kv_cache_seq_rm(-1, self.n_tokens, -1)
            self._batch.set_batch(batch=tokens, n_past=self.n_tokens, logits_all=True)
            self._ctx.decode(self._batch)
            self.input_ids[self.n_tokens: self.n_tokens + len(tokens)] = tokens
            self.n_tokens += len(tokens)
            self._requires_eval = False
            self.draft_seconds += time.perf_counter() - started
            self.draft_evals += len(tokens)

        def sample(self, *args: Any, idx: int | None = None, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                mine = self.check_first
                if mine is not None and idx is not None and self._sampler is mine.chain:
                    return mine.sample(self._ctx.ctx, idx - self.n_tokens)
                return super().sample(*args, idx=idx, **kwargs)
            finally:
                self.sample_seconds += time.perf_counter() - started
                self.samples += 1

    return TimedLlama


@dataclass(frozen=True)
class Counters:
    """llama.cpp's running counters for a loaded model (``llama_perf_context``), the tokens sampled and the
    time spent sampling and checking drafts (:func:`timed_llama_class`), and the tokens in the KV cache: read before
    and after a call."""

    prompt_ms: float = 0.0  # t_p_eval_ms: evaluating tokens in batches (a prompt's new tokens)
    prompt_evals: int = 0  # n_p_eval: tokens evaluated in batches (drafts checked included)
    eval_ms: float = 0.0  # t_eval_ms: evaluating tokens one at a time (each generated token)
    evals: int = 0  # n_eval
    sample_seconds: float = 0.0
    samples: int = 0
    n_tokens: int = 0
    draft_seconds: float = 0.0  # batches of a generated token and its draft (a part of prompt_ms)
    draft_evals: int = 0  # tokens in those batches (a part of prompt_evals)
    prompt_tokens: int = 0  # the last call's prompt (0: not known, read from n_tokens)


def read_counters(llm: Any) -> Counters:
    import llama_cpp

    return counters(llama_cpp.llama_perf_context(llm._ctx.ctx), llm)


def counters(perf: Any, llm: Any) -> Counters:
    """:class:`Counters` from ``llama_perf_context_data`` and the model. llama.cpp reports a token count of 0 as 1
    (``std::max(1, n_p_eval)``, for its own averages): a count without time is none."""
    return Counters(perf.t_p_eval_ms, perf.n_p_eval if perf.t_p_eval_ms > 0 else 0, perf.t_eval_ms,
                    perf.n_eval if perf.t_eval_ms > 0 else 0, getattr(llm, "sample_seconds", 0.0),
                    getattr(llm, "samples", 0), int(llm.n_tokens), getattr(llm, "draft_seconds", 0.0),
                    getattr(llm, "draft_evals", 0), getattr(llm, "prompt_tokens", 0))


def call_usage(before: Counters, after: Counters, *, seconds: float, streamed: int, cache_before: Sequence[int],
               cache_after: Sequence[int]) -> tuple[Usage, Timing]:
    """One call's tokens and where its ``seconds`` went, from the counters before and after it.

    * Generated tokens: those sampled (an end-of-text token included). The prompt's tokens are known from the model
      (``prompt_tokens``) or else are the KV cache's tokens after the call less the generated ones (each but the
      last was evaluated). (Without sample counts: ``streamed`` pieces.)
    * New prompt tokens: those llama.cpp evaluated in batches, less the batches that checked a draft; the rest of
      the prompt came from the KV cache. A single new token is evaluated alone and counted with generation: then
      the KV cache's tokens before and after the call tell (the prefix llama-cpp-python kept, :func:`kept_prefix`).
    * Prompt seconds: llama.cpp's prompt evaluation (less the drafts' batches); generation seconds: its
      one-at-a-time evaluation, the drafts' batches and sampling. The parts never add up to more than ``seconds``.
    A counter lower after than before was reset between (llama-cpp-python's ``embed`` resets them): its value
    after is the call's.
    """
    def delta(now: float, then: float) -> float:
        return now - then if now >= then else now

    sampled = int(delta(after.samples, before.samples))
    generated = sampled or streamed
    prompt = after.prompt_tokens or max(0, after.n_tokens - max(generated - 1, 0))
    draft_evals, draft_seconds = delta(after.draft_evals, before.draft_evals), delta(after.draft_seconds,
                                                                                     before.draft_seconds)
    evaluated = max(0, int(delta(after.prompt_evals, before.prompt_evals) - draft_evals))
    cached = prompt - evaluated if 0 < evaluated <= prompt else kept_prefix(cache_before, cache_after[:prompt])
    prompt_seconds = min(max(0.0, delta(after.prompt_ms, before.prompt_ms) / 1000 - draft_seconds), seconds)
    sample_seconds = delta(after.sample_seconds, before.sample_seconds)
    generation_seconds = min(delta(after.eval_ms, before.eval_ms) / 1000 + draft_seconds + sample_seconds,
                             seconds - prompt_seconds)
    timing = Timing(prompt_seconds, max(0.0, generation_seconds), max(0.0, min(sample_seconds, generation_seconds)))
    return Usage(prompt_tokens=prompt, completion_tokens=generated, cached_tokens=cached), timing


def kept_prefix(before: list[int], prompt: list[int]) -> int:
    """The KV cache tokens llama-cpp-python keeps for ``prompt`` (``Llama.generate``): the longest common prefix,
    less one when it is the whole prompt (the last token is evaluated again for its logits)."""
    common = 0
    for a, b in zip(before, prompt, strict=False):
        if a != b:
            break
        common += 1
    return common - 1 if common and common == len(prompt) else common


#: Calls beside the agent's steps (the goal verifier, a tool asking the model): their prompt shares little with the
#: step's, so the step's KV cache is kept aside during them and put back after (see :func:`keep_sequence`).
SIDE_CALLS = frozenset({"verify", "tool", "judge"})


@dataclass
class KeptSequence:
    data: Any  # llama.cpp's copy of the sequence's KV cache
    size: int
    tokens: list[int]


def keep_sequence(llm: Any) -> KeptSequence | None:
    """A copy of the KV cache's tokens (llama.cpp's sequence 0, ~30 MB per 1,000 tokens of the 1.5B model, copied
    in milliseconds), so that a side call does not cost the next step its cached prompt: re-evaluating a 2,000-token
    prompt takes ~30 s on two cores. None when the cache is empty or cannot be copied."""
    import llama_cpp

    if not llm.n_tokens:
        return None
    size = llama_cpp.llama_state_seq_get_size(llm._ctx.ctx, 0)
    data = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llm._ctx.ctx, data, size, 0)
    return KeptSequence(data, written, llm.input_ids[: llm.n_tokens].tolist()) if written else None


def restore_sequence(llm: Any, kept: KeptSequence) -> None:
    """Put back a KV cache kept by :func:`keep_sequence`; if llama.cpp cannot, the cache is left empty (the next
    call evaluates its whole prompt, as without keeping)."""
    import llama_cpp

    llm._ctx.kv_cache_seq_rm(0, -1, -1)
    llm.n_tokens = 0
    if llama_cpp.llama_state_seq_set_data(llm._ctx.ctx, kept.data, kept.size, 0):
        llm.input_ids[: len(kept.tokens)] = kept.tokens
        llm.n_tokens = len(kept.tokens)
    llm._requires_eval = True  # the logits are the side call's: the next call evaluates at least one token


class EmbeddedModel(Model):
    """A GGUF model run in-process by llama.cpp. Costs nothing per token."""

    extra_parameters = _EXTRA
    local = True

    def __init__(
        self,
        model_id: str,
        *,
        spec: EmbeddedModelSpec | None = None,
        path: Path | None = None,
        models_dir: Path,
        n_ctx: int = 8192,
        n_threads: int | None = None,
        n_gpu_layers: int = 0,
        seed: int | None = None,
        draft_tokens: int = 3,
        lora_path: Path | None = None,
    ) -> None:
        super().__init__()
        if spec is None and path is None:
            raise ValueError("EmbeddedModel needs a spec or a path")
        self.id = model_id
        self.spec, self.path, self.models_dir = spec, path, models_dir
        self.context_size = n_ctx
        self.n_threads = n_threads or max(1, os.cpu_count() or 1)
        self.n_gpu_layers = n_gpu_layers
        self.seed = seed
        self.lookup = PromptLookup(max_tokens=draft_tokens) if draft_tokens > 0 else None
        self.lora_path = lora_path  # a llama.cpp LoRA adapter (GGUF) applied over the weights
        self._llm: Any = None
        self._lock: threading.Lock | None = None

    # --- loading -------------------------------------------------------------------------------------

    async def prepare(self, report: StatusCallback | None = None) -> None:
        if self._llm is None:
            await asyncio.to_thread(self._load, report)

    def _load(self, report: StatusCallback | None) -> None:
        try:
            Llama = timed_llama_class()  # noqa: N806 - llama.cpp's class
        except ImportError:
            extra = self.spec.extra if self.spec else "embedded"
            raise ModelUnavailableError(
                f"The embedded model {self.id} needs llama-cpp-python. Install it with: "
                f"CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install 'autogpt[{extra}]' "
                "(or choose an API model with --model / AUTOGPT_MODEL, see `autogpt models`)."
            ) from None
        path = ensure_model_file(self.spec, self.models_dir, report) if self.spec else check_gguf(self.path)  # type: ignore[arg-type]
        if self.lora_path is not None and not self.lora_path.is_file():
            raise ConfigError(f"No GGUF LoRA adapter at {self.lora_path} (`autogpt models` lists the trained ones).")
        key = (str(path), self.context_size, self.n_gpu_layers, str(self.lora_path or ""))
        with _LOADED_LOCK:
            if key not in _LOADED:
                if report:
                    report(f"Loading {path.name} with llama.cpp ({self.n_threads} threads)", None)
                started = time.perf_counter()
                try:
                    llm = Llama(
                        model_path=str(path),
                        n_ctx=self.context_size,
                        n_threads=self.n_threads,
                        n_gpu_layers=self.n_gpu_layers,
                        seed=self.seed if self.seed is not None else 4294967295,
                        lora_path=str(self.lora_path) if self.lora_path else None,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise ModelUnavailableError(f"llama.cpp could not load {path}: {exc}") from exc
                if report:
                    report(f"Loaded {path.name} in {time.perf_counter() - started:.1f} s", 1.0)
                _LOADED[key] = (llm, threading.Lock())
            self._llm, self._lock = _LOADED[key]
        self.context_size = min(self.context_size, self._llm.n_ctx())

    def count_tokens(self, text: str) -> int:
        if self._llm is None:
            return super().count_tokens(text)
        return len(self._llm.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    # --- generation ----------------------------------------------------------------------------------

    async def complete(self, request: ModelRequest) -> Completion:
        await self.prepare()
        cancelled = threading.Event()
        try:
            return await asyncio.to_thread(self._generate, request, cancelled)
        except asyncio.CancelledError:
            cancelled.set()  # the worker thread stops at its next token
            raise

    def _generate(self, request: ModelRequest, cancelled: threading.Event) -> Completion:
        params = {**self.params, **request.params}
        kwargs: dict[str, Any] = {
            "messages": [m.to_dict() for m in request.messages],
            "temperature": params.pop("temperature", 0.2),
            "max_tokens": params.pop("max_tokens", 1024),
            # Small models fall into loops ("X can also be used for Y. X can also be used for Z. ...");
            # llama.cpp's usual penalty over the last 64 tokens stops most of them.
            "repeat_penalty": params.pop("repeat_penalty", DEFAULT_REPEAT_PENALTY),
            "stream": True,
        }
        seed = params.pop("seed", None)  # the request's own (an agent's setting), else the model's
        if seed is None:
            seed = self.seed
        if seed is not None:
            kwargs["seed"] = request_seed(int(seed), request)
        kwargs.update(params)
        if request.response_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": request.response_schema}
        assert self._lock is not None
        started = time.perf_counter()
        with self._lock:
            llm = self._llm
            llm.lookup = self.lookup
            kept = keep_sequence(llm) if request.purpose in SIDE_CALLS else None
            before, counted_before = list(getattr(llm, "_input_ids", [])), read_counters(llm)
            pieces: list[str] = []
            finish_reason = None
            streamed = 0
            try:
                for chunk in llm.create_chat_completion(**kwargs):
                    choice = chunk["choices"][0]
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        streamed += 1
                        pieces.append(text)
                        if request.on_token:
                            request.on_token(text)
                    finish_reason = choice.get("finish_reason") or finish_reason
                    if cancelled.is_set():
                        finish_reason = "cancelled"
                        break
                    if streamed % 16 == 0 and text and repeats_itself("".join(pieces)):
                        finish_reason = REPEATING  # a loop: stop now rather than at the token limit
                        break
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"llama.cpp failed while generating: {exc}") from exc
            finally:
                after, counted_after = list(getattr(llm, "_input_ids", [])), read_counters(llm)
                if kept is not None:
                    restore_sequence(llm, kept)
        seconds = time.perf_counter() - started
        usage, timing = call_usage(counted_before, counted_after, seconds=seconds, streamed=streamed, cache_before=before,
                                   cache_after=after)
        return Completion(text="".join(pieces), usage=usage, model=self.id, finish_reason=finish_reason,
                          seconds=seconds, timing=timing)
