"""Fine-tuning with LoRA (the ``hf`` extra): ``agent.train(data, method="lora")`` and ``autogpt train --lora``.

The data is question/answer or chat pairs (JSONL: ``{"question", "answer"}`` or ``{"messages": [...]}``), or
documents the model first turns into such pairs (:func:`pairs_from_documents`). The base model is loaded with
``transformers`` (an embedded model's GGUF is read through ``gguf``); ``peft`` trains a low-rank adapter on the
attention and MLP projections, with the loss on the assistant's turns only. The adapter is saved under
``<data_dir>/adapters/NAME`` with ``adapter.json`` and a model card (base, data hash, hyper-parameters, loss
curve) and is used as ``hf:BASE+lora:NAME``. When the base is a GGUF file, the adapter is also written as a
llama.cpp LoRA (``adapter.gguf``), so the embedded runtime serves the trained model too: ``BASE+lora:NAME``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from autogpt.errors import ConfigError
from autogpt.llm.base import Message, Model, ModelRequest, StatusCallback

Chat = list[dict[str, str]]
#: ``(step, steps, loss, seconds_left)`` after each optimiser step
Progress = Callable[[int, int, float, float], None]
ADAPTERS = "adapters"
LORA_SUFFIX = "+lora:"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# The projections LoRA adapts in the Llama/Qwen family (peft's names; each has a llama.cpp name too).
TARGET_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LoraParams(BaseModel):
    """The training's hyper-parameters (``agent.set_parameter("learning_rate", 2e-4)``, ...)."""

    batch_size: int = Field(4, ge=1, le=256, description="Pairs per optimiser step.")
    learning_rate: float = Field(2e-4, gt=0, le=1, description="AdamW's learning rate.")
    epochs: int = Field(3, ge=1, le=100, description="Passes over the data.")
    lora_rank: int = Field(8, ge=1, le=256, description="The adapter's rank.")
    lora_alpha: int = Field(16, ge=1, le=1024, description="The adapter's scale is lora_alpha / lora_rank.")
    max_length: int = Field(512, ge=32, le=8192, description="Tokens of a pair kept (the rest is cut).")
    seed: int = 0


class Adapter(BaseModel):
    """A trained adapter, as ``adapter.json`` records it."""

    name: str
    base: str  # what follows hf: for the base model (an embedded id, a path, ORG/NAME)
    created: str
    pairs: int
    data_sha256: str
    params: LoraParams
    losses: list[float] = Field(default_factory=list)  # one per optimiser step
    epoch_losses: list[float] = Field(default_factory=list)  # the mean of each epoch
    seconds: float = 0.0
    device: str = "cpu"
    gguf: bool = False  # adapter.gguf was written: the embedded runtime can load it

    @property
    def model_ids(self) -> list[str]:
        """The ids that use it: ``hf:BASE+lora:NAME`` and, with a GGUF adapter, ``BASE+lora:NAME``."""
        ids = [f"hf:{self.base}{LORA_SUFFIX}{self.name}"]
        if self.gguf:
            ids.append(f"{self.base if not self.base.endswith('.gguf') else 'gguf:' + self.base}{LORA_SUFFIX}{self.name}")
        return ids


def hf_target(model_id: str, embedded: Iterable[str]) -> str | None:
    """What ``hf:`` loads for a local model id (an adapter's base, see :attr:`Adapter.model_ids` for the way back):
    ``hf:X`` → X, an ``embedded`` model's id as it is, ``gguf:PATH`` → PATH; None for an API model."""
    base = split_adapter(model_id)[0]
    if base.startswith(("hf:", "gguf:")):
        return base.partition(":")[2]
    return base if base in embedded else None


def split_adapter(model_id: str) -> tuple[str, str | None]:
    """``("hf:qwen2.5-coder-0.5b", "faq")`` for ``hf:qwen2.5-coder-0.5b+lora:faq``; no adapter: ``(model_id, None)``."""
    base, sep, name = model_id.partition(LORA_SUFFIX)
    if not sep:
        return model_id, None
    if not _NAME.match(name):
        raise ConfigError(f"Bad adapter name {name!r}: letters, digits, '_', '.' and '-' only.")
    return base, name


def adapter_dir(data_dir: Path, name: str) -> Path:
    if not _NAME.match(name):
        raise ConfigError(f"Bad adapter name {name!r}: letters, digits, '_', '.' and '-' only (at most 64).")
    return data_dir / ADAPTERS / name


def list_adapters(data_dir: Path) -> list[Adapter]:
    """The adapters trained under ``data_dir``, newest first (a folder without a readable adapter.json is left out)."""
    found = []
    for path in sorted((data_dir / ADAPTERS).glob("*/adapter.json")):
        try:
            found.append(Adapter.model_validate_json(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return sorted(found, key=lambda a: a.created, reverse=True)


# --- data -----------------------------------------------------------------------------------------------------


def read_pairs(source: str | Path | Iterable[dict[str, Any]]) -> list[Chat]:
    """Chats from a JSONL file or a list of mappings: ``{"question", "answer"}`` (also ``prompt``/``completion``,
    ``instruction``/``output``) or ``{"messages": [{"role", "content"}, ...]}`` ending with the assistant."""
    if isinstance(source, str | Path):
        path = Path(source)
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"Cannot read {path}: {exc}") from None
        items: list[tuple[str, Any]] = []
        for number, line in enumerate(lines, 1):
            if line.strip():
                try:
                    items.append((f"{path}, line {number}", json.loads(line)))
                except json.JSONDecodeError as exc:
                    raise ConfigError(f"{path}, line {number}: not JSON ({exc.msg}).") from None
        where = str(path)
    else:
        items = [(f"item {number}", item) for number, item in enumerate(source, 1)]
        where = "the data"
    chats = [_chat(item, place) for place, item in items]
    if not chats:
        raise ConfigError(f"{where} holds no question/answer pairs.")
    return chats


def _chat(item: Any, place: str) -> Chat:
    if isinstance(item, dict):
        for ask, answer in (("question", "answer"), ("prompt", "completion"), ("instruction", "output")):
            if isinstance(item.get(ask), str) and isinstance(item.get(answer), str) and item[ask].strip() \
                    and item[answer].strip():
                return [{"role": "user", "content": item[ask]}, {"role": "assistant", "content": item[answer]}]
        messages = item.get("messages")
        if isinstance(messages, list) and messages and all(
                isinstance(m, dict) and m.get("role") in ("system", "user", "assistant")
                and isinstance(m.get("content"), str) for m in messages) and messages[-1]["role"] == "assistant":
            return [{"role": m["role"], "content": m["content"]} for m in messages]
    raise ConfigError(f"{place}: give question and answer (or prompt and completion), or messages ending with the "
                      "assistant's.")


_PAIRS_SCHEMA = {
    "type": "object",
    "properties": {"pairs": {"type": "array", "minItems": 1, "maxItems": 8, "items": {
        "type": "object", "properties": {"question": {"type": "string"}, "answer": {"type": "string"}},
        "required": ["question", "answer"]}}},
    "required": ["pairs"],
}
_ASK_PAIRS = {
    "en": ("Write {n} questions a reader could ask about the text below, each with its answer taken from the text "
           "(a short, complete sentence). Reply with JSON: {{\"pairs\": [{{\"question\": ..., \"answer\": ...}}]}}."),
    "zh": ("根据下面的文字，写出读者可能会问的 {n} 个问题，并给出从文字中得到的答案（简短完整的一句话）。"
           "用 JSON 回答：{{\"pairs\": [{{\"question\": ..., \"answer\": ...}}]}}。"),
}


async def pairs_from_documents(model: Model, texts: Sequence[str], *, per_text: int = 3,
                               lang: str = "en") -> list[Chat]:
    """Question/answer pairs the model writes about each text (a chunk of a document), from the text only."""
    chats: list[Chat] = []
    for text in texts:
        request = ModelRequest(messages=[Message("system", _ASK_PAIRS.get(lang, _ASK_PAIRS["en"]).format(n=per_text)),
                                         Message("user", text)],
                               response_schema=_PAIRS_SCHEMA, params={"temperature": 0.2, "max_tokens": 768},
                               purpose="tool")
        completion = await model.complete(request)
        try:
            pairs = json.loads(completion.text)["pairs"]
        except (ValueError, KeyError, TypeError):
            continue  # an unusable reply makes no pairs; the other texts still do
        for pair in pairs if isinstance(pairs, list) else []:
            try:
                chats.append(_chat(pair, "a generated pair"))
            except ConfigError:
                continue
    if not chats:
        raise ConfigError("The model wrote no usable question/answer pairs from the documents.")
    return chats


def data_hash(chats: Iterable[Chat]) -> str:
    return hashlib.sha256(json.dumps(list(chats), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- training -------------------------------------------------------------------------------------------------


def train_lora(base: str, chats: list[Chat], params: LoraParams, out: Path, *, models_dir: Path,
               report: StatusCallback | None = None, progress: Progress | None = None) -> Adapter:
    """Train a LoRA adapter for the ``hf:`` target ``base`` on ``chats`` and save it to ``out`` (with its GGUF
    form when the base is a GGUF file). ``report`` is told the estimated time before training starts."""
    import torch
    from peft import LoraConfig, get_peft_model

    from autogpt.llm.hf import hf_source, load_hf, quiet_peft

    random.seed(params.seed)
    torch.manual_seed(params.seed)
    model, tokenizer = load_hf(base, models_dir, report, for_training=True)
    present = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    targets = [name for name in TARGET_MODULES if name in present]
    if not targets:
        raise ConfigError(f"{base} has none of the projections LoRA adapts here ({', '.join(TARGET_MODULES)}).")
    config = LoraConfig(r=params.lora_rank, lora_alpha=params.lora_alpha, lora_dropout=0.0, task_type="CAUSAL_LM",
                        target_modules=targets)
    with quiet_peft():
        peft_model = get_peft_model(model, config)
    examples = [_encode(tokenizer, chat, params.max_length) for chat in chats]
    examples = [e for e in examples if any(label != -100 for label in e["labels"])]
    if not examples:
        raise ConfigError(f"No pair keeps an answer within max_length ({params.max_length} tokens).")
    device = next(peft_model.parameters()).device
    optimizer = torch.optim.AdamW([p for p in peft_model.parameters() if p.requires_grad], lr=params.learning_rate)
    per_epoch = math.ceil(len(examples) / params.batch_size)
    steps = params.epochs * per_epoch
    peft_model.train()

    def loss_of(batch: list[dict[str, list[int]]]) -> Any:
        tensors = _pad(batch, tokenizer.pad_token_id or 0)
        return peft_model(**{key: value.to(device) for key, value in tensors.items()}).loss

    # one timed pass (its gradient thrown away) says how long the training will take before it starts
    started = time.perf_counter()
    loss_of(examples[: params.batch_size]).backward()
    optimizer.zero_grad()
    estimate = (time.perf_counter() - started) * steps
    if report:
        report(f"Training a LoRA adapter (rank {params.lora_rank}) on {len(examples)} pairs on the {device.type}: "
               f"{steps} steps, about {_duration(estimate)}.", 0.0)
    adapter = Adapter(name=out.name, base=base, created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                      pairs=len(examples), data_sha256=data_hash(chats), params=params, device=device.type)
    started, step = time.perf_counter(), 0
    order = list(range(len(examples)))
    for _ in range(params.epochs):
        random.shuffle(order)
        epoch: list[float] = []
        for i in range(0, len(order), params.batch_size):
            loss = loss_of([examples[j] for j in order[i:i + params.batch_size]])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            step += 1
            adapter.losses.append(round(float(loss.detach()), 4))
            epoch.append(adapter.losses[-1])
            if progress:
                elapsed = time.perf_counter() - started
                progress(step, steps, adapter.losses[-1], elapsed / step * (steps - step))
        adapter.epoch_losses.append(round(sum(epoch) / len(epoch), 4))
    peft_model.eval()
    adapter.seconds = round(time.perf_counter() - started, 1)
    out.mkdir(parents=True, exist_ok=True)
    with quiet_peft():
        peft_model.save_pretrained(str(out), save_embedding_layers=False)  # the adapter alone: the base is unchanged
    source, extra = hf_source(base, models_dir)
    if "gguf_file" in extra:
        export_gguf(out, Path(source) / extra["gguf_file"], alpha=params.lora_alpha)
        adapter.gguf = True
    (out / "adapter.json").write_text(adapter.model_dump_json(indent=2), encoding="utf-8")
    (out / "README.md").write_text(model_card(adapter), encoding="utf-8")
    return adapter


def _encode(tokenizer: Any, chat: Chat, max_length: int) -> dict[str, list[int]]:
    """Token ids of the chat, with labels on the assistant's turns only (-100 elsewhere)."""
    ids: list[int] = []
    labels: list[int] = []
    for i in range(len(chat)):
        whole = _ids(tokenizer.apply_chat_template(chat[:i + 1], tokenize=True, add_generation_prompt=False))
        new = whole[len(ids):]
        ids += new
        labels += new if chat[i]["role"] == "assistant" else [-100] * len(new)
    return {"input_ids": ids[:max_length], "labels": labels[:max_length]}


def _ids(encoded: Any) -> list[int]:
    if isinstance(encoded, dict) or hasattr(encoded, "keys"):  # transformers 5 may give a BatchEncoding
        encoded = encoded["input_ids"]
    return list(encoded)


def _pad(batch: list[dict[str, list[int]]], pad: int) -> dict[str, Any]:
    import torch

    width = max(len(e["input_ids"]) for e in batch)
    return {
        "input_ids": torch.tensor([e["input_ids"] + [pad] * (width - len(e["input_ids"])) for e in batch]),
        "labels": torch.tensor([e["labels"] + [-100] * (width - len(e["labels"])) for e in batch]),
        "attention_mask": torch.tensor([[1] * len(e["input_ids"]) + [0] * (width - len(e["input_ids"]))
                                        for e in batch]),
    }


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def model_card(adapter: Adapter) -> str:
    curve = ", ".join(f"{loss:.3f}" for loss in adapter.epoch_losses)
    uses = " or ".join(f"`{model_id}`" for model_id in adapter.model_ids)
    return (f"# LoRA adapter {adapter.name}\n\n"
            f"- base: {adapter.base}\n- data: {adapter.pairs} pairs, sha256 {adapter.data_sha256}\n"
            f"- hyper-parameters: {adapter.params.model_dump_json()}\n"
            f"- trained on the {adapter.device} in {adapter.seconds} s ({len(adapter.losses)} steps)\n"
            f"- loss per epoch: {curve}\n- loss per step: {', '.join(f'{x:.3f}' for x in adapter.losses)}\n\n"
            f"Use it as {uses}.\n")


# --- the embedded runtime: the adapter as a llama.cpp LoRA ---------------------------------------------------


def export_gguf(folder: Path, base_gguf: Path, *, alpha: float) -> Path:
    """Write ``folder``'s peft adapter as ``folder/adapter.gguf``, a LoRA llama.cpp applies over ``base_gguf``
    (the tensors named as in the base: ``blk.N.attn_q.weight.lora_a`` / ``.lora_b``)."""
    import gguf
    from safetensors.numpy import load_file

    reader = gguf.GGUFReader(str(base_gguf))
    field = reader.fields["general.architecture"]
    arch_name = bytes(field.parts[field.data[0]]).decode()
    arch = next((a for a, name in gguf.MODEL_ARCH_NAMES.items() if name == arch_name), None)
    if arch is None:
        raise ConfigError(f"gguf does not know the architecture {arch_name!r} of {base_gguf.name}.")
    blocks = next((int(f.parts[f.data[0]][0]) for key, f in reader.fields.items() if key.endswith(".block_count")), 0)
    names = gguf.get_tensor_name_map(arch, blocks)
    weights = load_file(str(folder / "adapter_model.safetensors"))
    writer = gguf.GGUFWriter(str(folder / "adapter.gguf"), arch_name)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    written = 0
    for key in sorted(weights):
        match = re.match(r"^(?:base_model\.model\.)?(.+)\.lora_([AB])\.weight$", key)
        if match is None:
            continue
        target = names.get_name(match.group(1) + ".weight", try_suffixes=(".weight",))
        if target is None:
            raise ConfigError(f"No llama.cpp name for {match.group(1)} in {arch_name}.")
        writer.add_tensor(f"{target}.lora_{match.group(2).lower()}", weights[key].astype("float32"))
        written += 1
    if not written:
        raise ConfigError(f"{folder} holds no LoRA weights.")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return folder / "adapter.gguf"


__all__ = ["Adapter", "LoraParams", "adapter_dir", "export_gguf", "hf_target", "list_adapters", "model_card", "pairs_from_documents",
           "read_pairs", "split_adapter", "train_lora"]
