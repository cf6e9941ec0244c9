"""``translate``: a text put into another language by the run's own model, asked as a translator.

Offered only when the goals ask for a translation. Inside the agent's reply format a small coder model tends to
copy the text it is asked to translate; asked plainly, as this tool asks it, the same model translates it.
"""

from __future__ import annotations

from autogpt.errors import AutoGPTError, ToolError
from autogpt.llm.base import Message, ModelRequest, contains_cjk
from autogpt.tools.registry import Tool, ToolContext

_SYSTEM = {"en": "You are a professional translator. Reply with the translation only: no notes, no quotes, no "
                 "explanation.",
           "zh": "你是专业翻译。只回复译文：不加说明，不加引号，不做解释。"}
_ASK = {"en": "Translate this text into {language}:\n\n{text}", "zh": "把下面的文字翻译成{language}：\n\n{text}"}


def asks_to_translate(ctx: ToolContext) -> bool:
    """The goals ask for a translation, and there is a model to make it."""
    return ctx.model is not None and ctx.spec.translate


async def translate(text: str, language: str, ctx: ToolContext) -> str:
    """Translate a text into another language and return the translation. Use it for the text the goals ask to
    translate, then write the translation where the goals ask.

    Args:
        text: The whole text to translate.
        language: The language to translate it into, e.g. "Simplified Chinese" or "English".
    """
    if ctx.model is None:
        raise ToolError("No model is configured to translate with.")
    if not text.strip() or not language.strip():
        raise ToolError("Give both the text to translate and the language to translate it into.")
    key = "zh" if contains_cjk(language) else "en"
    request = ModelRequest([Message("system", _SYSTEM[key]),
                            Message("user", _ASK[key].format(language=language.strip(), text=text.strip()))],
                           params={"temperature": 0.0, "max_tokens": min(2048, 64 + 2 * len(text))}, purpose="tool")
    try:
        translation = (await ctx.model.complete(request)).text.strip().strip("\"“”「」")
    except AutoGPTError as exc:
        raise ToolError(f"The translation failed: {exc}") from None
    if not translation:
        raise ToolError("The model gave no translation. Try again, or translate the text yourself.")
    if " ".join(translation.split()) == " ".join(text.split()):
        raise ToolError(f"The model gave the text back unchanged, not in {language}. Translate it yourself.")
    return f"Translation into {language.strip()}:\n{translation}"


TRANSLATE_TOOL = Tool(translate, available_if=asks_to_translate, listed_if_unavailable=False)

__all__ = ["TRANSLATE_TOOL", "asks_to_translate", "translate"]
