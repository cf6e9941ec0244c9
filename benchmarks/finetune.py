"""LoRA fine-tuning on a customer-service FAQ: closed-book accuracy before and after, and the training's time.

A made-up shop's FAQ (benchmarks/finetune/): ten facts no model knows (a 45-day return window, a hotline number,
a discount code, ...), each asked three ways in the 30 training pairs (English and Chinese), and asked once more
in the 10 held-out questions, worded differently. Retrieval is off: the model answers from its weights alone.
An answer is right when it holds the fact's key (``45``, ``7788``, ``BLUEFINCH``, ...).

The base model answers all 40 questions; ``agent.train(pairs, method="lora")`` trains an adapter on the 30; then
the adapter answers them again, through transformers (``hf:BASE+lora:NAME``) and through llama.cpp with the
adapter exported to GGUF (``BASE+lora:NAME``). It prints numbers; it is not a test.

    .venv/bin/python benchmarks/finetune.py [--base qwen2.5-coder-0.5b] [--epochs 6] [--learning-rate 1e-3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

from autogpt import AutoGPT, Settings
from autogpt.llm.base import Message, Model, ModelRequest
from autogpt.llm.registry import create_model

HERE = Path(__file__).resolve().parent / "finetune"


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def answers(model: Model, questions: list[dict]) -> tuple[list[str], float]:
    async def all_of() -> list[str]:
        out = []
        for item in questions:
            request = ModelRequest(messages=[Message("user", item["question"])],
                                   params={"temperature": 0.0, "max_tokens": 48})
            out.append((await model.complete(request)).text.strip())
        return out

    started = time.perf_counter()
    texts = asyncio.run(all_of())
    return texts, time.perf_counter() - started


def right(items: list[dict], texts: list[str]) -> int:
    return sum(any(key.lower() in text.lower() for key in item["keys"]) for item, text in zip(items, texts, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="qwen2.5-coder-0.5b")
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lora-rank", type=int, default=16)
    parser.add_argument("--runtimes", default="embedded,hf", help="where to answer: embedded (llama.cpp), hf, or both")
    parser.add_argument("--show", action="store_true", help="print every answer")
    args = parser.parse_args()
    train, test = load("faq_train.jsonl"), load("faq_test.jsonl")
    runtimes = args.runtimes.split(",")
    with tempfile.TemporaryDirectory() as data:
        settings = Settings.load(data_dir=Path(data), seed=1, memory=False, lessons=False)
        agent = AutoGPT(settings=settings, model=args.base)
        for name, value in (("epochs", args.epochs), ("learning_rate", args.learning_rate),
                            ("batch_size", args.batch_size), ("lora_rank", args.lora_rank),
                            ("lora_alpha", 2 * args.lora_rank)):
            agent.set_parameter(name, value)
        ids = {"embedded": (args.base, f"{args.base}+lora:faq"), "hf": (f"hf:{args.base}", f"hf:{args.base}+lora:faq")}
        rows = []
        for runtime in runtimes:
            base_model = create_model(ids[runtime][0], settings)
            texts, seconds = answers(base_model, train + test)
            rows.append((runtime, "before", right(train, texts[:30]), right(test, texts[30:]), seconds, texts))
            del base_model
        adapter = agent.train([{k: v for k, v in item.items() if k != "keys"} for item in train], method="lora",
                              name="faq", report=lambda text, _: print(text, flush=True))
        for runtime in runtimes:
            texts, seconds = answers(create_model(ids[runtime][1], settings), train + test)
            rows.append((runtime, "after", right(train, texts[:30]), right(test, texts[30:]), seconds, texts))
    print(f"\nLoRA on {args.base}: {adapter.pairs} pairs, rank {args.lora_rank}, lr {args.learning_rate:g}, "
          f"batch {args.batch_size}, {args.epochs} epochs on the {adapter.device}: {adapter.seconds:.0f} s "
          f"({adapter.seconds / args.epochs:.0f} s an epoch)")
    print("loss per epoch: " + " → ".join(f"{loss:.3f}" for loss in adapter.epoch_losses))
    print(f"\n{'runtime':<10}{'':<8}{'trained questions':>20}{'held-out paraphrases':>24}{'answer time':>14}")
    for runtime, when, seen, held, seconds, _ in rows:
        print(f"{runtime:<10}{when:<8}{f'{seen}/30 ({seen / 30:.0%})':>20}{f'{held}/10 ({held / 10:.0%})':>24}"
              f"{seconds / 40:>12.2f} s")
    if args.show:
        for runtime, when, _, _, _, texts in rows:
            print(f"\n--- {runtime} {when}")
            for item, text in zip(train + test, texts, strict=True):
                mark = "✓" if any(k.lower() in text.lower() for k in item["keys"]) else "✗"
                print(f"{mark} {item['question']} → {text[:100]!r}")


if __name__ == "__main__":
    main()
