"""Hugging Face ``transformers`` models (the ``hf`` extra): the seeds' model stack, on a GPU or the CPU.

    hf:qwen2.5-coder-0.5b           an embedded model's GGUF file, read by transformers (through ``gguf``)
    hf:/path/to/model.gguf          any local GGUF file
    hf:/path/to/checkpoint          a local checkpoint folder (config.json, weights, tokenizer)
    hf:Qwen/Qwen2.5-0.5B-Instruct   a model already in the local Hugging Face cache: nothing is downloaded at run
                                    time unless the environment says HF_HUB_OFFLINE=0
    hf:BASE+lora:NAME               BASE with the LoRA adapter NAME trained by ``agent.train(..., method="lora")``

Replies that must follow a JSON schema are constrained with ``xgrammar`` (a logits processor), so they always
parse, as with llama.cpp's grammar. The KV cache of the previous call is kept and cut back to the prompt's
unchanged start, so a step evaluates only its new tokens. Weights load on the first call (or ``prepare``): on
the GPU when there is one (``device_map="auto"``, bfloat16), else on the CPU in float32.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from autogpt.errors import ConfigError, ModelError, ModelUnavailableError
from autogpt.llm.assets import EMBEDDED_MODELS, ensure_model_file
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


def require_hf() -> None:
    """Raise a clear error when the ``hf`` extra is not installed."""
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        raise ModelUnavailableError("hf: models need the hf extra: pip install torch==2.13.0 (the CPU build) and then "
                                    "pip install 'autogpt[hf]'.") from None


@contextlib.contextmanager
def quiet_peft() -> Iterator[None]:
    """peft asks transformers about gradient checkpointing by a name transformers 5 deprecated: not our warning."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*", category=FutureWarning)
        yield


def hf_source(target: str, models_dir: Path, report: StatusCallback | None = None) -> tuple[str, dict[str, Any]]:
    """What ``from_pretrained`` is given for ``target`` (what follows ``hf:``): a folder or a hub name, plus
    ``gguf_file`` for a GGUF file and ``local_files_only`` for a hub name."""
    if target in EMBEDDED_MODELS:
        path = ensure_model_file(EMBEDDED_MODELS[target], models_dir, report)
        return str(path.parent), {"gguf_file": path.name}
    path = Path(target).expanduser()
    if path.suffix == ".gguf":
        if not path.is_file():
            raise ConfigError(f"No GGUF file at {path}.")
        return str(path.parent), {"gguf_file": path.name}
    if path.is_dir():
        return str(path), {}
    if target.count("/") == 1 and not target.startswith((".", "/", "~")):
        return target, {"local_files_only": os.environ.get("HF_HUB_OFFLINE", "1") != "0"}
    raise ConfigError(f"hf:{target} is neither an embedded model ({', '.join(EMBEDDED_MODELS)}), a .gguf file, a "
                      "checkpoint folder nor ORG/NAME in the local Hugging Face cache.")


def load_hf(target: str, models_dir: Path, report: StatusCallback | None = None, *,
            for_training: bool = False) -> tuple[Any, Any]:
    """``(model, tokenizer)`` for ``target``: on the GPU in bfloat16 when there is one, else on the CPU in float32."""
    require_hf()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    source, extra = hf_source(target, models_dir, report)
    if report:
        report(f"Loading {target} with transformers…", None)
    gpu = torch.cuda.is_available()
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # GGUF loading logs every tensor it dequantizes
    hf_logging.disable_progress_bar()  # and draws a bar of them: the report above says what is going on
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **extra)
        model = AutoModelForCausalLM.from_pretrained(
            source, dtype=torch.bfloat16 if gpu else torch.float32,
            device_map="auto" if gpu and not for_training else None, **extra)
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"transformers cannot load {target}: {exc}") from None
    finally:
        hf_logging.set_verbosity(verbosity)
        hf_logging.enable_progress_bar()
    if gpu and for_training:
        model = model.to("cuda")
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model, tokenizer


class HFModel(Model):
    """A causal language model run with ``transformers`` in this process."""

    local = True
    extra_parameters = {"top_k": int, "repeat_penalty": float}

    def __init__(self, model_id: str, *, models_dir: Path, n_ctx: int = 8192, seed: int | None = None,
                 adapter: Path | None = None) -> None:
        super().__init__()
        self.id, self.context_size, self.seed, self.adapter = model_id, n_ctx, seed, adapter
        self.target = model_id.removeprefix("hf:").split("+lora:")[0]
        self.models_dir = models_dir
        self._model: Any = None
        self._tokenizer: Any = None
        self._compiler: Any = None
        self._grammars: dict[str, Any] = {}
        self._lock = threading.Lock()  # one generation at a time: the KV cache is the model's
        self._cache: Any = None
        self._cached_ids: list[int] = []

    async def prepare(self, report: StatusCallback | None = None) -> None:
        if self._model is None:
            await asyncio.to_thread(self._load, report)

    def _load(self, report: StatusCallback | None) -> None:
        with self._lock:
            if self._model is not None:
                return
            if self.adapter is not None and not (self.adapter / "adapter_config.json").is_file():
                raise ConfigError(f"No LoRA adapter at {self.adapter} (`autogpt models` lists the trained ones).")
            model, tokenizer = load_hf(self.target, self.models_dir, report)
            if self.adapter is not None:
                from peft import PeftModel

                with quiet_peft():
                    model = PeftModel.from_pretrained(model, str(self.adapter))
            model.eval()
            self._model, self._tokenizer = model, tokenizer
            self.context_size = min(self.context_size, int(getattr(model.config, "max_position_embeddings", 0)
                                                           or self.context_size))
            if report:
                report(f"{self.id} is ready.", 1.0)

    def count_tokens(self, text: str) -> int:
        if self._tokenizer is None:
            return super().count_tokens(text)
        return len(self._tokenizer.encode(text, add_special_tokens=False))

    async def complete(self, request: ModelRequest) -> Completion:
        await self.prepare()
        return await asyncio.to_thread(self._generate, request)

    def _generate(self, request: ModelRequest) -> Completion:
        import torch
        from transformers import DynamicCache, LogitsProcessorList, StoppingCriteriaList

        started = time.perf_counter()
        params = {**self.params, **request.params}
        max_tokens = int(params.get("max_tokens") or 1024)
        messages = [m.to_dict() for m in request.messages]
        with self._lock:
            device = next(self._model.parameters()).device
            ids = self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                                      return_dict=True)["input_ids"].to(device)
            prompt = ids[0].tolist()
            if len(prompt) + max_tokens > self.context_size:
                raise ModelError(f"The prompt ({len(prompt)} tokens) and the reply ({max_tokens}) do not fit "
                                 f"{self.id}'s context ({self.context_size} tokens).")
            # the unchanged start of the prompt is taken from the last call's cache (at least one token is new)
            kept = _common_prefix(self._cached_ids, prompt[:-1])
            if self._cache is not None:
                kept = min(kept, self._cache.get_seq_length())
            if self._cache is None or kept == 0:
                self._cache, kept = DynamicCache(), 0
            elif (extra := self._cache.get_seq_length() - kept) > 0:
                self._cache.crop(-extra)  # transformers 5: the number of tokens to remove, from the end
            clock = _Clock()
            penalty = float(params.get("repeat_penalty", DEFAULT_REPEAT_PENALTY))
            processors = LogitsProcessorList([clock, _RepeatPenalty(penalty)] if penalty != 1.0 else [clock])
            if request.response_schema is not None:
                processors.append(self._grammar(request.response_schema))
            temperature = float(params.get("temperature", 0.2))
            seed = params.get("seed", self.seed)
            if seed is not None:  # the same seed and request give the same reply, whatever ran before
                torch.manual_seed(request_seed(int(seed), request))
            streamer = _Streamer(self._tokenizer, request.on_token)
            extra: dict[str, Any] = {}
            if params.get("stop"):
                extra = {"stop_strings": list(params["stop"]), "tokenizer": self._tokenizer}
            self._cached_ids = []  # until the call has finished, the cache matches nothing
            try:
                with torch.inference_mode():
                    out = self._model.generate(
                        ids, attention_mask=torch.ones_like(ids), cache=self._cache, streamer=streamer,
                        max_new_tokens=max_tokens, do_sample=temperature > 0,
                        temperature=temperature if temperature > 0 else None,
                        top_p=float(params.get("top_p", 0.95)) if temperature > 0 else None,
                        top_k=int(params.get("top_k", 40)) if temperature > 0 else None, logits_processor=processors,
                        stopping_criteria=StoppingCriteriaList([streamer]), return_dict_in_generate=True,
                        pad_token_id=self._tokenizer.pad_token_id, **extra)
            except RuntimeError as exc:
                self._cache = None
                raise ModelError(f"{self.id} failed to generate: {exc}") from None
            new = out.sequences[0][len(prompt):].tolist()
            self._cached_ids = prompt + new
        ends = {*_as_list(self._tokenizer.eos_token_id), *_as_list(self._model.generation_config.eos_token_id)}
        finish = REPEATING if streamer.repeating else "stop" if (new and new[-1] in ends) or len(new) < max_tokens \
            else "length"
        text = self._tokenizer.decode(new, skip_special_tokens=True)
        ended = time.perf_counter()
        first = clock.first or ended
        return Completion(text=text, usage=Usage(len(prompt), len(new), cached_tokens=kept), model=self.id,
                          finish_reason=finish, seconds=ended - started,
                          timing=Timing(prompt_seconds=first - clock.began, generation_seconds=ended - first))

    def _grammar(self, schema: dict[str, Any]) -> Any:
        """An xgrammar logits processor for replies that follow ``schema`` (compiled grammars are kept)."""
        try:
            import xgrammar as xgr
            from xgrammar.contrib.hf import LogitsProcessor
        except ImportError:
            raise ModelUnavailableError("Replies that follow a schema need xgrammar: pip install 'autogpt[hf]'.") from None
        key = json.dumps(schema)  # in the schema's own order: properties are written in it (thoughts before command)
        if key not in self._grammars:
            if self._compiler is None:
                info = xgr.TokenizerInfo.from_huggingface(self._tokenizer, vocab_size=self._model.config.vocab_size)
                self._compiler = xgr.GrammarCompiler(info)
            self._grammars[key] = self._compiler.compile_json_schema(key, strict_mode=True, max_whitespace_cnt=20)
        return LogitsProcessor(self._grammars[key])  # one per generate() call


class _RepeatPenalty:
    """llama.cpp's repeat penalty: the logits of the tokens among the last ``window`` are divided by ``penalty``
    (multiplied, when negative). Small models otherwise fall into runs ("1000000…") that a JSON grammar allows."""

    def __init__(self, penalty: float, window: int = 64) -> None:
        self.penalty, self.window = penalty, window

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        import torch

        recent = input_ids[:, -self.window:]
        chosen = torch.gather(scores, 1, recent)
        return scores.scatter(1, recent, torch.where(chosen < 0, chosen * self.penalty, chosen / self.penalty))


class _Clock:
    """A logits processor that only notes when the first token's logits arrive (the prompt's evaluation ends)."""

    def __init__(self) -> None:
        self.began, self.first = time.perf_counter(), 0.0

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if not self.first:
            self.first = time.perf_counter()
        return scores


class _Streamer:
    """Hands each newly decoded piece of the reply to ``on_token`` (transformers' streamer protocol), and stops
    the generation when the reply falls into a loop (a stopping criterion)."""

    def __init__(self, tokenizer: Any, on_token: Any) -> None:
        self.tokenizer, self.on_token = tokenizer, on_token
        self.ids: list[int] = []
        self.text = ""
        self.prompt_seen = False
        self.repeating = False

    def put(self, value: Any) -> None:
        if not self.prompt_seen:  # generate() puts the prompt first
            self.prompt_seen = True
            return
        self.ids += value.flatten().tolist()
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if len(text) > len(self.text) and not text.endswith("\ufffd"):  # a whole character, not half of one
            if self.on_token is not None:
                self.on_token(text[len(self.text):])
            self.text = text

    def end(self) -> None:
        pass

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        import torch

        if len(self.ids) % 16 == 0 and (repeats_itself(self.text) or _RUN.search(self.text[-_RUN_LENGTH - 1:])):
            self.repeating = True
        return torch.full((input_ids.shape[0],), self.repeating, dtype=torch.bool, device=input_ids.device)


_RUN_LENGTH = 48  # one character this many times in a row ends a reply: "1000000…" is no number anyone means
_RUN = re.compile(rf"(.)\1{{{_RUN_LENGTH - 1},}}$")


def _as_list(value: Any) -> list[int]:
    return [] if value is None else list(value) if isinstance(value, list | tuple) else [value]


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


__all__ = ["HFModel", "hf_source", "load_hf", "require_hf"]
