"""A customer-service assistant that answers from the shop's own FAQ, in Chinese and English, citing it.

    python examples/customer_service/customer_service.py            # the embedded model, offline
    python examples/customer_service/customer_service.py --model deepseek:deepseek-chat

It learns the two FAQ files (once: training again on unchanged files adds nothing), answers a few customer
questions with the passages it used cited, then runs an agent on a goal that needs a fact only the FAQ has.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from autogpt import AutoGPT

HERE = Path(__file__).parent
QUESTIONS = [
    "退货期限是多少天？",
    "我的电水壶 KT-9 坏了，还在保修期吗？买了三年。",
    "Do gold members get a discount?",
    "Can I get same-day delivery in Hangzhou?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a model id (see `autogpt models`); default: the embedded model")
    args = parser.parse_args()

    agent = AutoGPT(ai_name="小星", ai_role="星河家电的客服助手 / the customer-service assistant of Xinghe Appliances",
                    model=args.model)
    agent.set_parameter("temperature", 0.0)
    report = agent.train([HERE / "faq_zh.md", HERE / "faq_en.md"])
    print(report.describe(), "\n")
    for question in QUESTIONS:
        print(f"Q: {question}\nA: {agent.generate_response(question)}\n")
        agent.reset_chat()

    workspace = Path(tempfile.mkdtemp(prefix="customer-service-"))
    runner = AutoGPT(ai_name="小星", ai_role="customer-service assistant", model=args.model, workspace=workspace,
                     goals=["A customer asks how long the warranty of her KT-9 kettle is. Write a one-sentence reply "
                            "to reply.txt that states the warranty period."])
    result = runner.run()
    print(f"Run: {result.status} in {result.steps} steps; reply.txt: "
          f"{(workspace / 'reply.txt').read_text(encoding='utf-8') if (workspace / 'reply.txt').exists() else '-'}")


if __name__ == "__main__":
    main()
