"""The embedded model: llama.cpp (llama-cpp-python) running a local GGUF file on the CPU.

* Replies are constrained by the reply's JSON schema (llama.cpp grammar), so every reply parses.
* One ``Llama`` instance per model file is kept for the whole process, so the KV cache of the unchanged
  prompt prefix is reused between steps (llama-cpp-python matches the longest common token prefix).
* Generation runs in a worker thread; the event loop stays free, tokens stream out, and a cancelled
  call stops generating at the next token.
* A reply that falls into a loop is stopped early (finish reason ``"repetition"``), not at the token limit.
* With a ``seed``, each request samples with a seed derived from it and the request itself: the same prompt
  gives the same reply whatever ran before it in the process (llama.cpp's own seed moves on with every call,
  and the loaded model is shared by every agent in the process).
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
import zlib
from pathlib import Path
from typing import Any

from autogpt.errors import ModelError, ModelUnavailableError
from autogpt.llm.assets import EmbeddedModelSpec, check_gguf, ensure_model_file
from autogpt.llm.base import REPEATING, Completion, Model, ModelRequest, StatusCallback, Usage, repeats_itself

_LOADED: dict[tuple[str, int, int], tuple[Any, threading.Lock]] = {}
_LOADED_LOCK = threading.Lock()

# llama.cpp's own names for the sampling parameters we expose beyond the common ones.
DEFAULT_REPEAT_PENALTY = 1.1
_EXTRA = {"top_k": int, "min_p": float, "repeat_penalty": float, "presence_penalty": float, "frequency_penalty": float}


def request_seed(seed: int, request: ModelRequest) -> int:
    """The sampling seed for one request: ``seed`` and the request's messages and schema, hashed (never 0)."""
    text = json.dumps([seed, [m.to_dict() for m in request.messages], request.response_schema], sort_keys=True,
                      ensure_ascii=False, default=str)
    return zlib.crc32(text.encode("utf-8")) or 1


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
        self._llm: Any = None
        self._lock: threading.Lock | None = None

    # --- loading -------------------------------------------------------------------------------------

    async def prepare(self, report: StatusCallback | None = None) -> None:
        if self._llm is None:
            await asyncio.to_thread(self._load, report)

    def _load(self, report: StatusCallback | None) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            extra = self.spec.extra if self.spec else "embedded"
            raise ModelUnavailableError(
                f"The embedded model {self.id} needs llama-cpp-python. Install it with: "
                f"CMAKE_ARGS='-DGGML_NATIVE=OFF' pip install 'autogpt[{extra}]' "
                "(or choose an API model with --model / AUTOGPT_MODEL, see `autogpt models`)."
            ) from None
        path = ensure_model_file(self.spec, self.models_dir, report) if self.spec else check_gguf(self.path)  # type: ignore[arg-type]
        key = (str(path), self.context_size, self.n_gpu_layers)
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
        if seed := params.pop("seed", None):
            kwargs["seed"] = seed
        elif self.seed is not None:
            kwargs["seed"] = request_seed(self.seed, request)
        kwargs.update(params)
        if request.response_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": request.response_schema}
        assert self._lock is not None
        started = time.perf_counter()
        with self._lock:
            llm = self._llm
            before = list(getattr(llm, "_input_ids", []))
            pieces: list[str] = []
            finish_reason = None
            generated = 0
            try:
                for chunk in llm.create_chat_completion(**kwargs):
                    choice = chunk["choices"][0]
                    text = choice.get("delta", {}).get("content") or ""
                    if text:
                        generated += 1
                        pieces.append(text)
                        if request.on_token:
                            request.on_token(text)
                    finish_reason = choice.get("finish_reason") or finish_reason
                    if cancelled.is_set():
                        finish_reason = "cancelled"
                        break
                    if generated % 16 == 0 and text and repeats_itself("".join(pieces)):
                        finish_reason = REPEATING  # a loop: stop now rather than at the token limit
                        break
            except (RuntimeError, ValueError) as exc:
                raise ModelError(f"llama.cpp failed while generating: {exc}") from exc
            total = int(llm.n_tokens)
            after = list(getattr(llm, "_input_ids", []))
        prompt_tokens = max(0, total - generated)
        cached = 0
        for a, b in zip(before, after[:prompt_tokens], strict=False):
            if a != b:
                break
            cached += 1
        return Completion(
            text="".join(pieces),
            usage=Usage(prompt_tokens=prompt_tokens, completion_tokens=generated, cached_tokens=cached),
            model=self.id,
            finish_reason=finish_reason,
            seconds=time.perf_counter() - started,
        )
