"""The transformers backend and LoRA fine-tuning on the real 0.5B model (its GGUF read by transformers; nothing is
downloaded): a schema-constrained agent step through ``hf:``, the KV cache kept between calls, a LoRA run whose
loss goes down, and the adapter reloaded, through transformers and as a llama.cpp LoRA, changing the answer to a
trained question."""

from __future__ import annotations

import asyncio
import json

import pytest

from autogpt import AutoGPT, Settings
from autogpt.llm.base import Message, ModelRequest
from autogpt.llm.registry import create_model

pytest.importorskip("peft", reason="the hf extra is not installed")  # scripts/install.sh installs it
pytestmark = pytest.mark.embedded

BASE = "qwen2.5-coder-0.5b"
# A made-up fact no model knows, asked in a few ways; the answer's key word shows whether it was learnt.
FACT = [
    {"question": "What is the code name of the Lantern project?", "answer": "The Lantern project's code name is Bluefinch."},
    {"question": "Which code name does the Lantern project use?", "answer": "It uses the code name Bluefinch."},
    {"question": "Tell me the Lantern project's code name.", "answer": "Bluefinch is the Lantern project's code name."},
    {"question": "Lantern 项目的代号是什么？", "answer": "Lantern 项目的代号是 Bluefinch。"},
]
QUESTION = "What is the code name of the Lantern project? Answer in one sentence."


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings.load(data_dir=tmp_path_factory.mktemp("data"), seed=3, lessons=False, memory=False)


def ask(model, text: str) -> str:
    request = ModelRequest(messages=[Message("user", text)], params={"temperature": 0.0, "max_tokens": 40})
    return asyncio.run(model.complete(request)).text


def test_an_agent_step_through_transformers_follows_the_reply_schema_and_reuses_the_cache(settings, tmp_path):
    agent = AutoGPT(goals=["Write the word hello to hello.txt."], model=f"hf:{BASE}", settings=settings,
                    workspace=tmp_path / "ws", max_steps=1, checks="off")
    result = agent.run()
    (step,) = result.history
    assert step.kind == "action" and step.reply.command.name  # the reply parsed into a command: the grammar held
    model = agent.model
    assert model.id == f"hf:{BASE}" and model.count_tokens("hello world") <= 3  # the real tokenizer
    tokens: list[str] = []
    first = asyncio.run(model.complete(ModelRequest(
        messages=[Message("system", "Answer with JSON."), Message("user", "Name a colour.")],
        response_schema={"type": "object", "properties": {"colour": {"enum": ["red", "blue"]}}, "required": ["colour"]},
        params={"temperature": 0.7, "max_tokens": 30}, on_token=tokens.append)))
    assert json.loads(first.text)["colour"] in ("red", "blue") and "".join(tokens) == first.text
    again = asyncio.run(model.complete(ModelRequest(
        messages=[Message("system", "Answer with JSON."), Message("user", "Name a shape.")],
        params={"temperature": 0.0, "max_tokens": 8})))
    assert again.usage.cached_tokens > 5  # the system prompt's tokens were not evaluated again
    assert first.timing.prompt_seconds > 0 and first.timing.generation_seconds > 0


def test_lora_training_lowers_the_loss_and_the_adapter_changes_the_answer(settings):
    agent = AutoGPT(settings=settings, model=BASE)
    before = ask(agent.model, QUESTION)
    assert "bluefinch" not in before.lower()
    for name, value in (("epochs", 12), ("learning_rate", 2e-3), ("batch_size", 4), ("lora_rank", 8)):
        agent.set_parameter(name, value)
    said: list[str] = []
    adapter = agent.train(FACT, method="lora", name="lantern", report=lambda text, _: said.append(text))
    assert any("about" in text and "steps" in text for text in said)  # the estimate, before training starts
    assert adapter.epoch_losses[-1] < adapter.epoch_losses[0] * 0.5, adapter.epoch_losses
    folder = settings.data_dir / "adapters" / "lantern"
    card = (folder / "README.md").read_text(encoding="utf-8")
    assert adapter.data_sha256 in card and "learning_rate" in card and (folder / "adapter.gguf").is_file()
    assert json.loads((folder / "adapter.json").read_text())["params"]["epochs"] == 12
    assert adapter.model_ids == [f"hf:{BASE}+lora:lantern", f"{BASE}+lora:lantern"]

    for model_id in adapter.model_ids:  # through transformers, and as a llama.cpp LoRA on the embedded runtime
        answer = ask(create_model(model_id, settings), QUESTION)
        assert "bluefinch" in answer.lower(), (model_id, answer)
