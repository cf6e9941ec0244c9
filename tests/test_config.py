"""Settings: defaults, AUTOGPT_* variables, .env, YAML files, precedence and clear errors; model ids."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from platformdirs import user_cache_dir, user_data_dir

from autogpt.config import DEFAULT_MODEL, Settings
from autogpt.errors import ConfigError, UnknownModelError
from autogpt.llm.registry import create_model, known_model_ids

SECRET = "sk-live-DO-NOT-SHOW-4242"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """No AUTOGPT_* variables from the shell or conftest; cwd is an empty tmp folder (no .env)."""
    for name in list(os.environ):
        if name.startswith("AUTOGPT_"):
            monkeypatch.delenv(name)
    assert Path.cwd() == tmp_path and not (tmp_path / ".env").exists()
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# --- defaults and sources --------------------------------------------------------------------------------


def test_defaults() -> None:
    s = Settings.load()
    assert type(s) is Settings
    assert s.model == DEFAULT_MODEL == "qwen2.5-coder-1.5b"
    assert s.max_steps == 30
    assert s.continuous is False
    assert s.language == "auto"
    assert s.workspace is None and s.model_path is None and s.api_key is None and s.api_key_value() is None
    assert s.max_tokens is None and s.max_cost is None and s.max_seconds is None
    assert s.data_dir == Path(user_data_dir("autogpt"))
    assert s.cache_dir == Path(user_cache_dir("autogpt"))
    assert s.store_path == s.data_dir / "autogpt.db"
    assert s.workspaces_dir == s.data_dir / "workspaces"
    assert s.models_dir == s.cache_dir / "models"


def test_environment_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("AUTOGPT_MODEL", "deepseek:deepseek-chat")
    monkeypatch.setenv("AUTOGPT_MAX_STEPS", "50")
    monkeypatch.setenv("AUTOGPT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AUTOGPT_WORKSPACE", str(tmp_path / "ws"))
    monkeypatch.setenv("AUTOGPT_MODEL_PATH", str(tmp_path / "m.gguf"))
    monkeypatch.setenv("AUTOGPT_CONTINUOUS", "true")
    monkeypatch.setenv("AUTOGPT_MAX_COST", "0.25")
    s = Settings.load()
    assert s.model == "deepseek:deepseek-chat"
    assert s.max_steps == 50
    assert s.data_dir == tmp_path / "data" and s.store_path == tmp_path / "data" / "autogpt.db"
    assert s.workspace == tmp_path / "ws"
    assert s.model_path == tmp_path / "m.gguf"
    assert s.continuous is True
    assert s.max_cost == 0.25


def test_dotenv_in_the_current_directory(tmp_path: Path) -> None:
    write(tmp_path / ".env", "AUTOGPT_MODEL=qwen:qwen-plus\nAUTOGPT_MAX_STEPS=7\n"
          "# unrelated keys are common in a .env and must not break anything\nOPENAI_API_KEY=sk-other\nFOO=bar\n")
    s = Settings.load()
    assert s.model == "qwen:qwen-plus"
    assert s.max_steps == 7


def test_yaml_file_by_path_and_by_autogpt_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    a = write(tmp_path / "a.yaml", "model: ollama:qwen2.5-coder:7b\nmax_steps: 12\nlanguage: zh\n"
              "prices:\n  my-model: [1.0, 2.0]\n")
    b = write(tmp_path / "b.yaml", "max_steps: 99\n")
    s = Settings.load(a)
    assert (s.model, s.max_steps, s.language) == ("ollama:qwen2.5-coder:7b", 12, "zh")
    assert s.prices == {"my-model": (1.0, 2.0)}
    assert Settings.load(str(a)).max_steps == 12
    monkeypatch.setenv("AUTOGPT_CONFIG", str(b))
    assert Settings.load().max_steps == 99
    assert Settings.load(a).max_steps == 12  # an explicit file wins over AUTOGPT_CONFIG


def test_empty_yaml_file_gives_defaults(tmp_path: Path) -> None:
    assert Settings.load(write(tmp_path / "empty.yaml", "")).max_steps == 30


def test_precedence_kwargs_env_dotenv_yaml_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "max_steps: 1\nmodel: from-yaml\n")
    write(tmp_path / ".env", "AUTOGPT_MAX_STEPS=2\n")
    monkeypatch.setenv("AUTOGPT_MAX_STEPS", "3")
    assert Settings.load(config, max_steps=4).max_steps == 4
    assert Settings.load(config, max_steps=None).max_steps == 3  # None means "not given" (CLI defaults)
    monkeypatch.delenv("AUTOGPT_MAX_STEPS")
    assert Settings.load(config).max_steps == 2
    (tmp_path / ".env").unlink()
    assert Settings.load(config).max_steps == 1
    assert Settings.load().max_steps == 30
    # fields from different sources combine
    monkeypatch.setenv("AUTOGPT_MAX_STEPS", "3")
    s = Settings.load(config, language="en")
    assert (s.model, s.max_steps, s.language) == ("from-yaml", 3, "en")


# --- errors ----------------------------------------------------------------------------------------------


def test_broken_yaml_is_a_config_error(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "model: [unclosed\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        Settings.load(config)
    assert str(config) in str(info.value)
    assert re.search(r"line \d+, column \d+", str(info.value))  # says where
    assert "[unclosed" not in str(info.value)  # without quoting the file (it may hold an API key)


def test_unknown_key_lists_the_valid_ones(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "max_step: 5\n")
    with pytest.raises(ConfigError) as info:
        Settings.load(config)
    message = str(info.value)
    assert "unknown settings: max_step" in message
    assert "max_steps" in message and "model" in message and str(config) in message


def test_wrong_type_names_the_setting_and_the_value(tmp_path: Path) -> None:
    config = write(tmp_path / "c.yaml", "max_steps: many\n")
    with pytest.raises(ConfigError) as info:
        Settings.load(config)
    message = str(info.value)
    assert "max_steps" in message and "'many'" in message and str(config) in message
    assert "pydantic" not in message.lower() and "errors.pydantic.dev" not in message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("temperature: 9\n", "temperature"), ("max_steps: 0\n", "max_steps"), ("language: fr\n", "language"),
     ("- a list\n", "must contain a mapping")],
)
def test_invalid_values_are_config_errors(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError, match=fragment):
        Settings.load(write(tmp_path / "c.yaml", text))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Cannot read config file"):
        Settings.load(tmp_path / "nope.yaml")


def test_bad_environment_value_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGPT_MAX_STEPS", "lots")
    with pytest.raises(ConfigError, match="max_steps"):
        Settings.load()


@pytest.mark.parametrize(
    "text",
    [
        f"api_key: [{SECRET}]\n",  # wrong type
        f"api_key:\n  value: {SECRET}\nmax_steps: 0\n",  # wrong type beside another error
        f"api_key: {SECRET}: oops\n",  # YAML syntax error on the key's own line
        f'model: x\napi_key: "{SECRET}\n',  # unterminated string
        f"api_key: {SECRET}\n  bad: indent\n",  # syntax error on the line after it
    ],
    ids=["list", "mapping", "yaml-colon", "yaml-quote", "yaml-indent"],
)
def test_an_invalid_api_key_never_appears_in_the_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.load(write(tmp_path / "c.yaml", text))
    assert SECRET not in str(info.value)
    assert "DO-NOT-SHOW" not in str(info.value)


def test_api_key_is_secret_but_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGPT_API_KEY", SECRET)
    s = Settings.load()
    assert s.api_key_value() == SECRET
    assert SECRET not in repr(s) and SECRET not in str(s)


# --- model ids --------------------------------------------------------------------------------------------


def test_model_path_makes_the_default_model_a_gguf_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from autogpt.llm.embedded import EmbeddedModel

    weights = tmp_path / "my-model.gguf"  # never loaded: creating a model does not touch the file
    monkeypatch.setenv("AUTOGPT_MODEL_PATH", str(weights))
    model = create_model(settings=Settings.load())
    assert isinstance(model, EmbeddedModel)
    assert model.id == f"gguf:{weights}"
    assert model.path == weights
    assert model._llm is None


def test_model_path_does_not_replace_an_explicit_other_model(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from autogpt.testing import ScriptedModel

    monkeypatch.setenv("AUTOGPT_MODEL_PATH", str(tmp_path / "my-model.gguf"))
    replies = write(tmp_path / "replies.json", '["hi"]')
    model = create_model(f"scripted:{replies}", Settings.load())
    assert isinstance(model, ScriptedModel)


def test_gguf_model_id(tmp_path: Path) -> None:
    from autogpt.llm.embedded import EmbeddedModel

    model = create_model(f"gguf:{tmp_path / 'x.gguf'}", Settings.load())
    assert isinstance(model, EmbeddedModel) and model.path == tmp_path / "x.gguf"


def test_unknown_model_lists_known_ids() -> None:
    with pytest.raises(UnknownModelError) as info:
        create_model("nosuch-model", Settings.load())
    err = info.value
    assert isinstance(err, ConfigError)  # the CLI reports it as a usage error (exit 2)
    assert err.model_id == "nosuch-model"
    assert err.known == known_model_ids()
    for model_id in ("qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "gguf:PATH", "openai:MODEL", "deepseek:MODEL"):
        assert model_id in err.known and model_id in str(err)


def test_unknown_model_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOGPT_MODEL", "nosuch:thing")
    with pytest.raises(UnknownModelError, match="nosuch:thing"):
        create_model(settings=Settings.load())
