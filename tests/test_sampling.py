"""Grammar-constrained sampling that checks the model's chosen token first (llm/sampling.py), on the real model."""

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
