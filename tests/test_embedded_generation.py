"""How the embedded model generates, on the real model: grammar-constrained sampling that checks the model's chosen
token first (llm/sampling.py), and a side call (the goal verifier, a tool) that leaves the step's KV cache as it was."""

import asyncio
import json

import pytest

from autogpt import Settings
from autogpt.llm.base import Message, ModelRequest
from autogpt.llm.registry import create_model

pytestmark = pytest.mark.embedded

# A reply the model would not write by itself: fixed key order, a word it must pick from a list it never saw,
# an integer, and a bounded list.
SCHEMA = {
    "type": "object",
    "properties": {
        "colour": {"enum": ["vermilion", "ochre", "cerulean"]},
        "count": {"type": "integer"},
        "tags": {"type": "array", "items": {"type": "string", "maxLength": 12}, "minItems": 2, "maxItems": 3},
    },
    "required": ["colour", "count", "tags"],
}


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    settings = Settings.load(data_dir=tmp_path_factory.mktemp("data"), seed=11, lessons=False)
    model = create_model(settings.model, settings)
    asyncio.run(model.prepare())
    return model


def ask(model, text: str, schema=SCHEMA):
    request = ModelRequest(messages=[Message("user", text)], response_schema=schema,
                           params={"temperature": 0.7, "max_tokens": 120})
    return asyncio.run(model.complete(request))


def test_every_reply_follows_the_grammar_and_most_tokens_need_one_check(model):
    checked = resampled = 0
    for text in ["Describe the sky in JSON.", "Tell me about your favourite animal, as JSON.", "用 JSON 描述一本书。"]:
        completion = ask(model, text)
        reply = json.loads(completion.text)
        assert list(reply) == ["colour", "count", "tags"], completion.text
        assert reply["colour"] in ("vermilion", "ochre", "cerulean")
        assert isinstance(reply["count"], int)
        assert 2 <= len(reply["tags"]) <= 3 and all(len(tag) <= 12 for tag in reply["tags"])
        sampler = model._llm.check_first
        assert sampler is not None
        checked, resampled = checked + sampler.checked, resampled + sampler.resampled
    # The grammar refused some of the model's own choices (the reply was really constrained) and those tokens were
    # chosen again; most tokens were the model's choice, checked alone.
    assert resampled > 0 and checked > resampled


def test_without_a_schema_no_grammar_is_used(model):
    request = ModelRequest(messages=[Message("user", "Say hi.")], params={"temperature": 0.0, "max_tokens": 8})
    completion = asyncio.run(model.complete(request))
    assert completion.text.strip() and model._llm.check_first is None


def test_the_same_seed_gives_the_same_constrained_reply(model):
    # The first call evaluates the prompt in one batch; the next ones find it in the KV cache and evaluate its last
    # token alone, whose logits differ in the last bits: so the second and third calls are compared.
    replies = [ask(model, "Describe the sea in JSON.").text for _ in range(3)]
    assert replies[1] == replies[2]


def test_a_side_call_leaves_the_steps_cached_prompt_in_place(model):
    system = Message("system", "You are a careful assistant. " + " ".join(f"Rule {n}: be brief." for n in range(60)))
    step = [system, Message("user", "Name one colour.")]
    params = {"temperature": 0.0, "max_tokens": 8}
    first = asyncio.run(model.complete(ModelRequest(messages=step, params=params)))
    assert first.usage.prompt_tokens > 300
    for purpose, cached in (("verify", True), ("step", False)):
        side = ModelRequest(messages=[Message("user", "Is the sky blue? Answer yes or no.")], params=params,
                            purpose=purpose)
        asyncio.run(model.complete(side))
        again = asyncio.run(model.complete(ModelRequest(messages=[*step, Message("assistant", first.text),
                                                                  Message("user", "Another one.")], params=params)))
        # after a side call the whole earlier prompt is still cached; after another step's call it is not
        assert (again.usage.cached_tokens >= first.usage.prompt_tokens - 1) is cached, (purpose, again.usage)
        assert again.text.strip()


def test_drafts_from_the_prompt_change_nothing_but_the_batches(model, tmp_path):
    # The reply copies lines of its prompt: many of them are guessed from the prompt and kept. Greedy sampling gives
    # the same reply and the same token counts with drafts as without.
    lines = [f"order {n}: {n * 7} boxes to gate {n % 4}" for n in range(8)]
    schema = {"type": "object", "properties": {"lines": {"type": "array", "items": {"type": "string"}}},
              "required": ["lines"]}
    messages = [Message("user", "The file orders.txt holds:\n" + "\n".join(lines) +
                        "\nReply with JSON: its first five lines, exactly as written.")]
    replies = {}
    for draft_tokens in (0, 3):
        settings = Settings.load(data_dir=tmp_path / str(draft_tokens), seed=11, lessons=False,
                                 draft_tokens=draft_tokens)
        other = create_model(settings.model, settings)
        asyncio.run(other.prepare())
        assert other._llm is model._llm  # the loaded model is shared; the drafts are per model
        ask_twice = [asyncio.run(other.complete(ModelRequest(messages=messages, response_schema=schema,
                                                             params={"temperature": 0.0, "max_tokens": 160})))
                     for _ in range(2)]
        replies[draft_tokens] = (ask_twice[1], other.lookup)
    plain, (drafted, lookup) = replies[0][0], replies[3]
    assert replies[0][1] is None and lookup is not None
    assert json.loads(drafted.text)["lines"][:2] == lines[:2], drafted.text
    assert drafted.text == plain.text
    assert (drafted.usage.prompt_tokens, drafted.usage.cached_tokens, drafted.usage.completion_tokens) == (
        plain.usage.prompt_tokens, plain.usage.cached_tokens, plain.usage.completion_tokens)
    # most draft tokens were kept: the reply's lines came from the prompt
    assert lookup.accepted > 20 and lookup.accepted > lookup.drafted / 2, (lookup.drafted, lookup.accepted)
