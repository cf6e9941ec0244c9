"""LoRA fine-tuning's data, names and wiring (no weights loaded): pairs from JSONL or mappings, adapter ids, the
registry's ``hf:`` and ``+lora:`` models, ``autogpt models`` listing adapters, and train()'s clear errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autogpt import AutoGPT, Settings
from autogpt.errors import ConfigError
from autogpt.llm.hf import HFModel, hf_source
from autogpt.llm.lora import (
    Adapter,
    LoraParams,
    adapter_dir,
    list_adapters,
    pairs_from_documents,
    read_pairs,
    split_adapter,
)
from autogpt.llm.registry import create_model, runs_in_process
from autogpt.testing import ScriptedModel


def test_pairs_come_from_jsonl_or_mappings_in_three_shapes(tmp_path: Path) -> None:
    data = tmp_path / "faq.jsonl"
    data.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in [
        {"question": "退货期限是多少天？", "answer": "45 天。"},
        {"prompt": "Shipping fee?", "completion": "Free over 99 yuan."},
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hours?"},
                      {"role": "assistant", "content": "9 to 18."}]},
    ]) + "\n\n", encoding="utf-8")
    chats = read_pairs(data)
    assert [chat[-1]["content"] for chat in chats] == ["45 天。", "Free over 99 yuan.", "9 to 18."]
    assert chats[0][0] == {"role": "user", "content": "退货期限是多少天？"} and chats[2][0]["role"] == "system"
    assert read_pairs([{"instruction": "Say hi", "output": "hi"}])[0][1]["content"] == "hi"


@pytest.mark.parametrize(("text", "problem"), [
    ("{not json}\n", "line 1: not JSON"),
    ('{"question": "q"}\n', "line 1: give question and answer"),
    ('{"messages": [{"role": "assistant", "content": "a"}, {"role": "user", "content": "q"}]}\n', "ending with"),
    ("\n\n", "no question/answer pairs"),
])
def test_bad_pair_files_name_the_line_and_what_is_wrong(tmp_path: Path, text: str, problem: str) -> None:
    data = tmp_path / "bad.jsonl"
    data.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=problem):
        read_pairs(data)
    with pytest.raises(ConfigError, match="Cannot read"):
        read_pairs(tmp_path / "missing.jsonl")


def test_adapter_ids_names_and_folders(tmp_path: Path) -> None:
    assert split_adapter("hf:qwen2.5-coder-0.5b+lora:faq") == ("hf:qwen2.5-coder-0.5b", "faq")
    assert split_adapter("qwen2.5-coder-0.5b") == ("qwen2.5-coder-0.5b", None)
    for bad in ("../x", "a/b", "", ".hidden"):
        with pytest.raises(ConfigError, match="adapter name"):
            adapter_dir(tmp_path, bad)
    with pytest.raises(ConfigError, match="adapter name"):
        split_adapter("hf:x+lora:../../etc")
    adapter = Adapter(name="faq", base="qwen2.5-coder-0.5b", created="2026-12-07T10:00:00+00:00", pairs=30,
                      data_sha256="0" * 64, params=LoraParams(), epoch_losses=[2.5, 0.4], gguf=True)
    assert adapter.model_ids == ["hf:qwen2.5-coder-0.5b+lora:faq", "qwen2.5-coder-0.5b+lora:faq"]
    assert Adapter(**{**adapter.model_dump(), "base": "/m/x.gguf"}).model_ids[1] == "gguf:/m/x.gguf+lora:faq"
    assert Adapter(**{**adapter.model_dump(), "gguf": False}).model_ids == ["hf:qwen2.5-coder-0.5b+lora:faq"]


def test_the_registry_makes_hf_and_adapter_models_without_loading_them(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data")
    hf = create_model("hf:qwen2.5-coder-0.5b+lora:faq", settings)
    assert isinstance(hf, HFModel) and hf.target == "qwen2.5-coder-0.5b" and hf.local
    assert hf.adapter == tmp_path / "data" / "adapters" / "faq"
    embedded = create_model("qwen2.5-coder-0.5b+lora:faq", settings)
    assert embedded.lora_path == tmp_path / "data" / "adapters" / "faq" / "adapter.gguf"  # type: ignore[attr-defined]
    assert runs_in_process("hf:x/y") and runs_in_process("qwen2.5-coder-0.5b+lora:faq")
    assert not runs_in_process("openai:gpt-4o-mini")
    with pytest.raises(ConfigError, match="local base model"):
        create_model("openai:gpt-4o-mini+lora:faq", settings)
    with pytest.raises(ConfigError, match="neither"):
        hf_source("no-such-model", tmp_path)
    with pytest.raises(ConfigError, match="No GGUF file"):
        hf_source(str(tmp_path / "missing.gguf"), tmp_path)
    assert hf_source("Qwen/Qwen2.5-0.5B-Instruct", tmp_path)[1] == {"local_files_only": True}  # never downloads


async def test_a_missing_adapter_is_a_clear_error_before_any_weights_load(tmp_path: Path) -> None:
    settings = Settings.load(data_dir=tmp_path / "data")
    with pytest.raises(ConfigError, match="No LoRA adapter"):
        await create_model("hf:qwen2.5-coder-0.5b+lora:nothing", settings).prepare()
    with pytest.raises(ConfigError, match="No GGUF LoRA adapter"):
        await create_model("qwen2.5-coder-0.5b+lora:nothing", settings).prepare()


def test_models_lists_the_adapters_trained_here(tmp_path: Path) -> None:
    folder = adapter_dir(tmp_path, "faq")
    folder.mkdir(parents=True)
    adapter = Adapter(name="faq", base="qwen2.5-coder-0.5b", created="2026-12-07T10:00:00+00:00", pairs=30,
                      data_sha256="0" * 64, params=LoraParams(epochs=4), epoch_losses=[2.5, 0.4], gguf=True)
    (folder / "adapter.json").write_text(adapter.model_dump_json(), encoding="utf-8")
    (adapter_dir(tmp_path, "broken")).mkdir()
    (adapter_dir(tmp_path, "broken") / "adapter.json").write_text("{", encoding="utf-8")
    assert [a.name for a in list_adapters(tmp_path)] == ["faq"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGPT_")}
    out = subprocess.run([sys.executable, "-m", "autogpt", "models", "--data-dir", str(tmp_path)], capture_output=True,
                         text=True, timeout=60, env={**env, "COLUMNS": "250"}, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    assert "hf:qwen2.5-coder-0.5b+lora:faq" in out.stdout and "│ qwen2.5-coder-0.5b+lora:faq" in out.stdout
    assert "30 pairs, 4 epochs, loss 2.5 → 0.4" in out.stdout


def test_train_with_lora_says_what_it_needs(tmp_path: Path) -> None:
    api = AutoGPT(settings=Settings.load(data_dir=tmp_path / "d", model="openai:gpt-4o-mini"))
    with pytest.raises(ConfigError, match="local model"):
        api.train([{"question": "q", "answer": "a"}], method="lora")
    local = AutoGPT(settings=Settings.load(data_dir=tmp_path / "d", model="qwen2.5-coder-0.5b"))
    with pytest.raises(ConfigError, match="needs data"):
        local.train(method="lora")
    with pytest.raises(ConfigError, match="'memory' or 'lora'"):
        local.train("text", method="finetune")
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="line 1: not JSON"):  # [one .jsonl], as the command line gives it: pairs
        local.train([str(bad)], method="lora")
    adapter_dir(tmp_path / "d", "taken").mkdir(parents=True)
    with pytest.raises(ConfigError, match="exists"):
        local.train([{"question": "q", "answer": "a"}], method="lora", name="taken")


async def test_the_model_writes_pairs_about_each_text_and_bad_replies_make_none() -> None:
    good = json.dumps({"pairs": [{"question": "How long is the return window?", "answer": "45 days."},
                                 {"question": "", "answer": "dropped: empty question"}]})
    model = ScriptedModel([good, "not json"])
    chats = await pairs_from_documents(model, ["Returns are accepted within 45 days.", "Other text."])
    assert chats == [[{"role": "user", "content": "How long is the return window?"},
                      {"role": "assistant", "content": "45 days."}]]
    assert model.calls[0].response_schema is not None and "45 days" in model.calls[0].messages[-1].content
    with pytest.raises(ConfigError, match="no usable"):
        await pairs_from_documents(ScriptedModel(["{}"]), ["text"])


def test_run_pairs_are_the_prompts_and_replies_of_runs_that_went_well(tmp_path: Path) -> None:
    from autogpt.testing import reply

    settings = Settings.load(data_dir=tmp_path / "data", lessons=False, memory=False)
    good = AutoGPT(goals=["Write hi to hi.txt"], settings=settings, workspace=tmp_path / "a", model=ScriptedModel(
        [reply("write_file", path="hi.txt", content="hi"), reply("finish", reason="wrote hi.txt")]))
    assert good.run().status == "finished"
    cut = AutoGPT(goals=["Write bye to bye.txt"], settings=settings, workspace=tmp_path / "b", max_steps=1,
                  model=ScriptedModel([reply("list_folder", path=".")]))
    assert cut.run().status == "max_steps"
    pairs = AutoGPT(settings=settings).run_pairs()
    assert len(pairs) == 2  # the finished run's two steps; nothing of the run that was cut off
    first = pairs[0]["messages"]
    assert [m["role"] for m in first] == ["system", "user", "assistant"]
    assert "hi.txt" in first[0]["content"] + first[1]["content"] and "write_file" in first[-1]["content"]
    assert len(read_pairs(pairs)) == 2  # ready for train(..., method="lora")

    off = Settings.load(data_dir=tmp_path / "off", lessons=False, memory=False, keep_prompts=False)
    AutoGPT(goals=["Write hi to hi.txt"], settings=off, workspace=tmp_path / "c", model=ScriptedModel(
        [reply("write_file", path="hi.txt", content="hi"), reply("finish", reason="wrote hi.txt")])).run()
    assert AutoGPT(settings=off).run_pairs() == []
