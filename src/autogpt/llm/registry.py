"""Model ids → models.

* ``qwen2.5-coder-1.5b`` (the default) and ``qwen2.5-coder-0.5b``: embedded llama.cpp models from PyPI.
* ``gguf:/path/to/model.gguf`` or ``AUTOGPT_MODEL_PATH``: any other local GGUF file.
* ``PROVIDER:MODEL`` (or just ``PROVIDER`` for its default model): an OpenAI-compatible API preset,
  e.g. ``openai:gpt-4o-mini``, ``deepseek:deepseek-chat``, ``qwen:qwen-plus``, ``ollama:qwen2.5-coder:7b``.
* ``scripted:FILE.json``: a :class:`autogpt.testing.ScriptedModel` reading its replies from a file, so
  tests can drive the CLI as a subprocess. Only ever used when asked for by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autogpt.config import Settings
from autogpt.errors import ConfigError, UnknownModelError
from autogpt.llm.assets import EMBEDDED_MODELS, is_installed
from autogpt.llm.base import Model
from autogpt.llm.lora import LORA_SUFFIX, adapter_dir, list_adapters, split_adapter


@dataclass(frozen=True)
class Provider:
    name: str
    title: str
    base_url: str
    key_env: str | None  # environment variable holding the API key (None: no key needed)
    default_model: str
    native_tools: bool = True  # the server supports OpenAI tool calls
    json_schema: bool = False  # the server supports response_format json_schema


PROVIDERS: dict[str, Provider] = {
    p.name: p
    for p in (
        Provider("openai", "OpenAI", "https://api.openai.com/v1", "OPENAI_API_KEY", "gpt-4o-mini", json_schema=True),
        Provider("deepseek", "DeepSeek", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY", "deepseek-chat"),
        Provider(
            "qwen", "Qwen (DashScope compatible mode)", "https://dashscope.aliyuncs.com/compatible-mode/v1",
            "DASHSCOPE_API_KEY", "qwen-plus",
        ),
        Provider("moonshot", "Moonshot (Kimi)", "https://api.moonshot.cn/v1", "MOONSHOT_API_KEY", "moonshot-v1-8k"),
        Provider("zhipu", "Zhipu (GLM)", "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY", "glm-4-flash"),
        Provider("ollama", "Ollama", "http://127.0.0.1:11434/v1", None, "qwen2.5-coder:1.5b"),
        Provider("vllm", "vLLM", "http://127.0.0.1:8000/v1", None, "default", json_schema=True),
        Provider("lmstudio", "LM Studio", "http://127.0.0.1:1234/v1", None, "default", json_schema=True),
        Provider("llamacpp", "llama.cpp server", "http://127.0.0.1:8080/v1", None, "default", native_tools=False,
                 json_schema=True),
        Provider("custom", "Any OpenAI-compatible API (set AUTOGPT_BASE_URL)", "", None, "default"),
    )
}

#: USD per 1M tokens (input, output), list prices. Local models cost 0. Add your own with ``prices``.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "o4-mini": (1.10, 4.40),
    "deepseek-chat": (0.27, 1.10),
    "deepseek-reasoner": (0.55, 2.19),
    "qwen-plus": (0.40, 1.20),
    "qwen-max": (1.60, 6.40),
    "qwen-turbo": (0.05, 0.20),
    "moonshot-v1-8k": (1.70, 1.70),
    "glm-4-flash": (0.0, 0.0),
    "glm-4-plus": (0.70, 0.70),
}
LOCAL_PROVIDERS = {"ollama", "vllm", "lmstudio", "llamacpp"}


def known_model_ids() -> list[str]:
    return [*EMBEDDED_MODELS, "gguf:PATH", "hf:MODEL", "MODEL+lora:ADAPTER",
            *(f"{p}:MODEL" for p in PROVIDERS)]


def runs_in_process(model_id: str) -> bool:
    """Whether the model runs here (llama.cpp or transformers: gigabytes of weights, loaded once and shared)
    rather than behind an API (cheap to create, one per task)."""
    base = model_id.partition(LORA_SUFFIX)[0]
    return base in EMBEDDED_MODELS or base.startswith(("gguf:", "hf:"))


def create_model(model_id: str | None = None, settings: Settings | None = None) -> Model:
    """Create the model named by ``model_id`` (default: the configured one)."""
    settings = settings or Settings.load()
    model_id = (model_id or settings.model).strip()
    if settings.model_path and model_id == settings.model and model_id in EMBEDDED_MODELS:
        model_id = f"gguf:{settings.model_path}"  # AUTOGPT_MODEL_PATH replaces the default weights

    base, adapter = split_adapter(model_id)  # "BASE+lora:NAME": BASE with a trained LoRA adapter
    if base.startswith("hf:"):
        from autogpt.llm.hf import HFModel

        return HFModel(model_id, models_dir=settings.models_dir, n_ctx=settings.n_ctx, seed=settings.seed,
                       adapter=adapter_dir(settings.data_dir, adapter) if adapter else None)

    if base in EMBEDDED_MODELS or base.startswith("gguf:"):
        from autogpt.llm.embedded import EmbeddedModel

        common = dict(
            models_dir=settings.models_dir, n_ctx=settings.n_ctx, n_threads=settings.n_threads,
            n_gpu_layers=settings.n_gpu_layers, seed=settings.seed, draft_tokens=settings.draft_tokens,
            lora_path=adapter_dir(settings.data_dir, adapter) / "adapter.gguf" if adapter else None,
        )
        if base.startswith("gguf:"):
            path = Path(base.removeprefix("gguf:")).expanduser()
            return EmbeddedModel(model_id, path=path, **common)  # type: ignore[arg-type]
        return EmbeddedModel(model_id, spec=EMBEDDED_MODELS[base], **common)  # type: ignore[arg-type]
    if adapter:
        raise ConfigError(f"A LoRA adapter needs a local base model (hf:..., an embedded model or gguf:PATH), "
                          f"not {base}.")

    provider_name, _, model_name = model_id.partition(":")
    if provider_name == "scripted" and model_name:
        from autogpt.testing import ScriptedModel

        return ScriptedModel.from_file(model_name)
    if provider_name in PROVIDERS:
        from autogpt.llm.openai_compat import OpenAICompatibleModel

        provider = PROVIDERS[provider_name]
        name = model_name or provider.default_model
        price = settings.prices.get(name) or (
            (0.0, 0.0) if provider_name in LOCAL_PROVIDERS else PRICES.get(name, (0.0, 0.0))
        )
        return OpenAICompatibleModel(provider, name, settings=settings, price=price)
    raise UnknownModelError(model_id, known_model_ids())


def describe_models(data_dir: Path | None = None) -> list[dict[str, str]]:
    """One row per model id family, for ``autogpt models``; with ``data_dir``, one per LoRA adapter trained there."""
    rows = [
        {
            "id": spec.id,
            "kind": "embedded (llama.cpp)",
            "detail": f"{spec.title}, {spec.size / 1e9:.1f} GB, {spec.license}",
            "ready": "installed" if is_installed(spec) else f"pip install 'autogpt[{spec.extra}]'",
        }
        for spec in EMBEDDED_MODELS.values()
    ]
    rows.append({"id": "gguf:PATH", "kind": "embedded (llama.cpp)", "detail": "any local GGUF file", "ready": ""})
    rows.append({"id": "hf:MODEL", "kind": "transformers", "detail": "an embedded model's GGUF, a .gguf file, a "
                 "checkpoint folder or ORG/NAME in the local Hugging Face cache",
                 "ready": "installed" if _has_hf() else "pip install 'autogpt[hf]'"})
    for adapter in list_adapters(data_dir) if data_dir is not None else []:
        for model_id in adapter.model_ids:
            rows.append({"id": model_id, "kind": "LoRA adapter" + (" (llama.cpp)" if not model_id.startswith("hf:") else ""),
                         "detail": f"{adapter.pairs} pairs, {adapter.params.epochs} epochs, loss "
                                   f"{adapter.epoch_losses[0] if adapter.epoch_losses else '?'} → "
                                   f"{adapter.epoch_losses[-1] if adapter.epoch_losses else '?'}, {adapter.created[:10]}",
                         "ready": "trained"})
    for p in PROVIDERS.values():
        rows.append(
            {
                "id": f"{p.name}:MODEL",
                "kind": "OpenAI-compatible API",
                "detail": f"{p.title}; default {p.default_model}" + (f"; {p.base_url}" if p.base_url else ""),
                "ready": f"needs {p.key_env}" if p.key_env else "no key needed",
            }
        )
    return rows


def _has_hf() -> bool:
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("torch", "transformers", "peft"))
