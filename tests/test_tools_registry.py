"""Tools from plain functions: schema derivation, validation, context injection, errors, the registry."""

import asyncio
import json
import threading
from pathlib import Path
from typing import Any, Literal, Optional

import pytest

from autogpt.errors import (
    AutoGPTError,
    ToolArgumentError,
    ToolCrashedError,
    ToolDefinitionError,
    ToolError,
    UnknownToolError,
)
from autogpt.tools.core import ASK_USER, FINISH
from autogpt.tools.registry import Tool, ToolContext, ToolRegistry, parse_docstring, render_result, tool
from autogpt.workspace import Workspace


def search_web(
    query: str,
    max_results: int = 5,
    min_score: float = 0.5,
    safe: bool = True,
    sites: list[str] | None = None,
    mode: Literal["fast", "deep"] = "fast",
    lang: Optional[str] = None,  # noqa: UP045 - typing.Optional must work too
) -> str:
    """Search the web for pages about a topic.

    Returns the best matches first.

    Args:
        query: What to search for.
        max_results (int): How many results
            to return at most.
        min_score: Lowest relevance score to keep.
        safe: Filter unsafe pages.
        sites: Only search these sites.
        mode: "fast" or "deep".

    Returns:
        A list of results.
    """
    return query


def titled(title: str, ctx: ToolContext, body: str = "") -> str:
    """Create a document with a title.

    Args:
        title: The document title.
        body: The text.
    """
    return f"{title}|{body}|{ctx.extras.get('marker')}"


def only_ctx(ctx: ToolContext) -> str:
    """Report the marker of the context."""
    return str(ctx.extras["marker"])


@pytest.fixture
def ctx(tmp_path: Path) -> ToolContext:
    return ToolContext(workspace=Workspace(tmp_path / "ws"), extras={"marker": "the-real-ctx"})


def walk_titles(schema: Any, inside_properties: bool = False) -> list[Any]:
    """Every ``title`` key that is not the name of a property."""
    found = []
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "title" and not inside_properties:
                found.append(value)
            walk_titles_result = walk_titles(value, inside_properties=key == "properties")
            found.extend(walk_titles_result)
    elif isinstance(schema, list):
        for value in schema:
            found.extend(walk_titles(value))
    return found


# --- schema derivation -----------------------------------------------------------------------------


def test_spec_description_and_required_optional() -> None:
    spec = Tool(search_web).spec()
    assert spec["name"] == "search_web"
    assert spec["description"] == "Search the web for pages about a topic. Returns the best matches first."
    params = spec["parameters"]
    assert params["type"] == "object"
    assert params["required"] == ["query"]
    assert list(params["properties"]) == [
        "query",
        "max_results",
        "min_score",
        "safe",
        "sites",
        "mode",
        "lang",
    ]
    props = params["properties"]
    assert props["max_results"]["default"] == 5
    assert props["min_score"]["default"] == 0.5
    assert props["safe"]["default"] is True
    assert props["sites"]["default"] is None
    assert props["mode"]["default"] == "fast"
    assert "default" not in props["query"]
    json.dumps(spec)  # serialisable as-is


def test_spec_types() -> None:
    props = Tool(search_web).spec()["parameters"]["properties"]
    assert props["query"]["type"] == "string"
    assert props["max_results"]["type"] == "integer"
    assert props["min_score"]["type"] == "number"
    assert props["safe"]["type"] == "boolean"
    assert {"type": "array", "items": {"type": "string"}} in props["sites"]["anyOf"]
    assert {"type": "null"} in props["sites"]["anyOf"]
    assert props["mode"]["enum"] == ["fast", "deep"]
    assert props["mode"]["type"] == "string"
    assert props["lang"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


def test_spec_per_arg_descriptions_from_docstring() -> None:
    props = Tool(search_web).spec()["parameters"]["properties"]
    assert props["query"]["description"] == "What to search for."
    assert props["max_results"]["description"] == "How many results to return at most."  # continuation line
    assert props["mode"]["description"] == '"fast" or "deep".'
    assert "description" not in props["lang"]  # not documented: no empty description
    assert "Returns" not in json.dumps(props)


def test_spec_has_no_pydantic_title_noise_but_keeps_title_parameter() -> None:
    for fn in (search_web, titled):
        assert walk_titles(Tool(fn).spec()) == []
    params = Tool(titled).spec()["parameters"]
    assert params["properties"]["title"] == {"description": "The document title.", "type": "string"}
    assert params["required"] == ["title"]


def test_context_parameter_is_hidden_from_schema_and_signature() -> None:
    t = Tool(titled)
    assert t.context_param == "ctx"
    assert "ctx" not in t.spec()["parameters"]["properties"]
    assert "ctx" not in t.spec()["parameters"]["required"]
    assert t.signature() == "titled(title: str, body: str = '')"
    empty = Tool(only_ctx).spec()["parameters"]
    assert empty["properties"] == {} and empty["required"] == []


def test_signature_shows_generic_and_literal_types() -> None:
    sig = Tool(search_web).signature()
    assert sig.startswith(
        "search_web(query: str, max_results: int = 5, min_score: float = 0.5, safe: bool = True"
    )
    assert "sites: list[str] | None = None" in sig
    assert "mode: Literal['fast', 'deep'] = 'fast'" in sig
    assert "lang: Optional[str] = None" in sig


def test_description_override() -> None:
    t = Tool(search_web, description="Custom text.", name="web")
    assert t.spec()["description"] == "Custom text."
    assert t.spec()["name"] == "web"


# --- calling -----------------------------------------------------------------------------------------


async def test_context_is_injected_and_cannot_be_spoofed(ctx: ToolContext) -> None:
    t = Tool(titled)
    assert await t.call({"title": "T"}, ctx) == "T||the-real-ctx"
    spoof = {"title": "T", "body": "b", "ctx": {"extras": {"marker": "fake"}}}
    assert await t.call(spoof, ctx) == "T|b|the-real-ctx"
    assert await Tool(only_ctx).call({}, ctx) == "the-real-ctx"


async def test_sync_tool_runs_off_the_event_loop_thread(ctx: ToolContext) -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    def sync_tool(n: int) -> int:
        """Double a number.

        Args:
            n: The number.
        """
        seen.append(threading.get_ident())
        return n * 2

    t = Tool(sync_tool)
    assert not t.is_async
    assert await t.call({"n": 21}, ctx) == "42"
    assert seen and seen[0] != loop_thread


async def test_async_tool_is_awaited(ctx: ToolContext) -> None:
    async def slow_echo(text: str, ctx: ToolContext) -> dict[str, str]:
        """Echo text after a pause."""
        await asyncio.sleep(0)
        return {"echo": text, "marker": ctx.extras["marker"]}

    t = Tool(slow_echo)
    assert t.is_async
    assert json.loads(await t.call({"text": "你好"}, ctx)) == {"echo": "你好", "marker": "the-real-ctx"}


async def test_extra_args_are_ignored(ctx: ToolContext) -> None:
    assert await Tool(search_web).call({"query": "q", "unknown": 1, "verbose": True}, ctx) == "q"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({}, "query"),
        ({"query": "q", "max_results": "many"}, "max_results"),
        ({"query": "q", "max_results": 2.5}, "max_results"),
        ({"query": "q", "mode": "slow"}, "mode"),
        ({"query": "q", "sites": "example.com"}, "sites"),
        ({"query": ["not", "a", "string"]}, "query"),
    ],
)
async def test_bad_args_give_tool_argument_error_naming_signature(
    ctx: ToolContext, args: dict[str, Any], field: str
) -> None:
    t = Tool(search_web)
    with pytest.raises(ToolArgumentError) as info:
        await t.call(args, ctx)
    message = str(info.value)
    prefix = f"Bad arguments for {t.signature()}: "
    assert message.startswith(prefix)
    problems = message[len(prefix) :]
    assert problems.startswith(field)  # the offending argument is named after the signature
    assert isinstance(info.value, ToolError)


async def test_valid_args_are_coerced_by_type(ctx: ToolContext) -> None:
    def typed(n: int, x: float, flag: bool, tags: list[str]) -> dict[str, Any]:
        """Return the arguments."""
        return {"n": n, "x": x, "flag": flag, "tags": tags}

    result = json.loads(await Tool(typed).call({"n": 3, "x": 2, "flag": False, "tags": ["a", "b"]}, ctx))
    assert result == {"n": 3, "x": 2.0, "flag": False, "tags": ["a", "b"]}


async def test_tool_error_passes_through_unchanged(ctx: ToolContext) -> None:
    raised = ToolError("That file is locked; try another.")

    def refuses(path: str) -> str:
        """Always refuses."""
        raise raised

    with pytest.raises(ToolError) as info:
        await Tool(refuses).call({"path": "x"}, ctx)
    assert info.value is raised


async def test_ask_user_without_human_is_a_tool_error(ctx: ToolContext) -> None:
    with pytest.raises(ToolError, match="No human"):
        await ASK_USER.call({"question": "Which one?"}, ctx)


async def test_ask_user_with_human(tmp_path: Path) -> None:
    asked: list[str] = []

    async def human(question: str) -> str:
        asked.append(question)
        return "the blue one"

    ctx = ToolContext(workspace=Workspace(tmp_path / "ws"), ask_human=human)
    assert await ASK_USER.call({"question": "Which one?"}, ctx) == "The user answered: the blue one"
    assert asked == ["Which one?"]


@pytest.mark.parametrize("is_async", [False, True])
async def test_crashing_tool_gives_typed_tool_crashed_error(ctx: ToolContext, is_async: bool) -> None:
    def buggy(n: int) -> str:
        """Has a bug."""
        raise ValueError(f"bad value {n}")

    async def abuggy(n: int) -> str:
        """Has a bug."""
        raise ValueError(f"bad value {n}")

    t = Tool(abuggy if is_async else buggy, name="buggy")
    with pytest.raises(ToolCrashedError) as info:
        await t.call({"n": 7}, ctx)
    assert not isinstance(info.value, ToolError)  # our bug, not the model's: not fed back as an observation
    assert isinstance(info.value, AutoGPTError)
    assert isinstance(info.value.__cause__, ValueError)
    assert str(info.value.__cause__) == "bad value 7"
    assert "buggy" in str(info.value) and "ValueError" in str(info.value)


# --- bad definitions ---------------------------------------------------------------------------------


def no_doc(x: int) -> int:
    return x


def blank_doc(x: int) -> int:
    """ """
    return x


def only_args_doc(x: int) -> int:
    """
    Args:
        x: A number.
    """
    return x


def no_hints(x, y: int) -> int:  # type: ignore[no-untyped-def]
    """Add."""
    return x + y


def star_args(*items: str) -> str:
    """Join."""
    return "".join(items)


def star_kwargs(a: int, **rest: str) -> str:
    """Join."""
    return str(rest)


def bad_forward_ref(x: "NoSuchType") -> int:  # type: ignore[name-defined]  # noqa: F821
    """Unresolvable."""
    return 0


def unsupported_type(ws: Workspace) -> str:
    """Takes something pydantic cannot describe."""
    return str(ws)


def underscore_param(_secret: int) -> int:
    """Leading underscore."""
    return _secret


@pytest.mark.parametrize(
    ("fn", "match"),
    [
        (no_doc, "docstring"),
        (blank_doc, "docstring"),
        (only_args_doc, "docstring"),
        (no_hints, "'x' needs a type hint"),
        (star_args, r"\*args"),
        (star_kwargs, r"\*\*kwargs"),
        (bad_forward_ref, "type hints"),
        (unsupported_type, "unsupported_type"),
        (underscore_param, "underscore_param"),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_bad_definitions_raise_tool_definition_error(fn: Any, match: str) -> None:
    with pytest.raises(ToolDefinitionError, match=match):
        Tool(fn)


@pytest.mark.parametrize("name", ["bad-name", "1abc", "with space", "x" * 65, "名字", "<lambda>", "a.b"])
def test_bad_names_raise_tool_definition_error(name: str) -> None:
    with pytest.raises(ToolDefinitionError, match="identifier"):
        Tool(search_web, name=name)


def test_lambda_needs_a_name() -> None:
    with pytest.raises(ToolDefinitionError, match="<lambda>"):
        Tool(lambda x: x, description="anonymous")


def test_tool_definition_error_is_a_type_error_not_a_tool_error() -> None:
    assert issubclass(ToolDefinitionError, TypeError)
    assert not issubclass(ToolDefinitionError, ToolError)


# --- decorator ---------------------------------------------------------------------------------------


async def test_tool_decorator_without_arguments(ctx: ToolContext) -> None:
    @tool
    def shout(text: str) -> str:
        """Upper-case text."""
        return text.upper()

    assert isinstance(shout, Tool)
    assert shout.name == "shout" and not shout.ends_run and not shout.requires_human
    assert await shout.call({"text": "hi"}, ctx) == "HI"


def test_tool_decorator_with_arguments() -> None:
    @tool(name="done", ends_run=True)
    def complete(reason: str) -> str:
        """Finish."""
        return reason

    @tool(requires_human=True)
    def confirm(question: str) -> str:
        """Confirm with the human."""
        return question

    assert isinstance(complete, Tool) and complete.name == "done" and complete.ends_run
    assert complete.spec()["name"] == "done"
    assert confirm.name == "confirm" and confirm.requires_human and not confirm.ends_run


# --- registry ----------------------------------------------------------------------------------------


def test_registry_get_add_remove_and_iteration() -> None:
    reg = ToolRegistry([FINISH, ASK_USER, search_web])
    assert len(reg) == 3
    assert [t.name for t in reg] == ["finish", "ask_user", "search_web"]
    assert "search_web" in reg and "nope" not in reg
    assert reg.get("finish") is FINISH
    assert isinstance(reg.get("search_web"), Tool)
    renamed = reg.add(Tool(search_web, description="Replacement."))
    assert len(reg) == 3 and reg.get("search_web") is renamed
    reg.remove("search_web")
    reg.remove("search_web")  # removing twice is harmless
    assert "search_web" not in reg and len(reg) == 2


def test_registry_unknown_tool_lists_available_names() -> None:
    reg = ToolRegistry([FINISH, ASK_USER, search_web])
    with pytest.raises(UnknownToolError) as info:
        reg.get("serch_web")
    message = str(info.value)
    assert "'serch_web'" in message
    for name in ("finish", "ask_user", "search_web"):
        assert name in message
    assert isinstance(info.value, ToolError)  # the model's mistake: fed back to it


def test_available_hides_tools_that_need_a_human() -> None:
    reg = ToolRegistry([FINISH, ASK_USER, search_web])
    assert [t.name for t in reg.available(human_present=True)] == ["finish", "ask_user", "search_web"]
    assert [t.name for t in reg.available(human_present=False)] == ["finish", "search_web"]
    assert FINISH.ends_run and not FINISH.requires_human and ASK_USER.requires_human


# --- rendering and docstrings -------------------------------------------------------------------------


def test_render_result() -> None:
    assert render_result(None) == "Done."
    assert render_result("plain text") == "plain text"
    assert render_result("") == ""
    data = {"城市": "北京", "n": 2, "items": [1, 2]}
    rendered = render_result(data)
    assert "北京" in rendered  # not \\u-escaped
    assert json.loads(rendered) == data
    assert rendered == json.dumps(data, ensure_ascii=False, indent=2)
    assert json.loads(render_result({"path": Path("a/b.txt")})) == {"path": "a/b.txt"}
    assert render_result([1, "x"]) == '[\n  1,\n  "x"\n]'
    assert render_result(42) == "42"


def test_render_result_of_unserialisable_falls_back_to_str() -> None:
    circular: dict[str, Any] = {}
    circular["self"] = circular
    assert render_result(circular) == str(circular)


def test_parse_docstring_google_style() -> None:
    doc = (
        "Fetch a page.\n\nSecond paragraph.\n\nArgs:\n    url (str): The address.\n"
        "    timeout: Seconds to wait,\n        including redirects.\n\nRaises:\n    ValueError: never shown.\n"
    )
    summary, args = parse_docstring(doc)
    assert summary == "Fetch a page. Second paragraph."
    assert args == {"url": "The address.", "timeout": "Seconds to wait, including redirects."}


def test_parse_docstring_chinese_section() -> None:
    doc = "把文本写入文件。\n\n参数：\n    路径：文件的路径。\n    content: 要写入的\n        全部文本。\n"
    summary, args = parse_docstring(doc)
    assert summary == "把文本写入文件。"
    assert args == {"路径": "文件的路径。", "content": "要写入的 全部文本。"}


def test_chinese_docstring_feeds_the_schema() -> None:
    def save(path: str, content: str) -> str:
        """保存文件。

        参数：
            path：文件路径。
            content: 文本内容。
        """
        return path

    spec = Tool(save).spec()
    assert spec["description"] == "保存文件。"
    assert spec["parameters"]["properties"]["path"]["description"] == "文件路径。"
    assert spec["parameters"]["properties"]["content"]["description"] == "文本内容。"


def test_parse_docstring_empty() -> None:
    assert parse_docstring("") == ("", {})


def test_a_very_long_unknown_name_is_cut_in_the_message() -> None:
    reg = ToolRegistry([FINISH, search_web])
    with pytest.raises(UnknownToolError) as info:
        reg.get("x" * 10_000)
    message = str(info.value)
    assert len(message) < 400 and "10000 characters" in message and "search_web" in message
