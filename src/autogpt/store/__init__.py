"""Persistence: every task, its steps, artifacts and events, in one SQLite file or in PostgreSQL (see
:mod:`.base`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from autogpt.errors import ConfigError
from autogpt.store.base import ArtifactRecord, ProtocolStep, Store, TaskRecord
from autogpt.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from autogpt.config import Settings

__all__ = ["ArtifactRecord", "ProtocolStep", "SQLiteStore", "Store", "TaskRecord", "create_store"]

_POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def create_store(settings_or_url: Settings | str | None = None) -> Store:
    """The store that the settings' ``store`` (or the URL given) names: empty for SQLite in ``data_dir``
    (``autogpt.db``; the settings are loaded from the environment when only a URL, or nothing, is given), or
    ``postgresql://user:password@host/db`` (also ``postgres://``) for PostgreSQL. Anything else is a
    :class:`~autogpt.errors.ConfigError`; a database that cannot be opened, a
    :class:`~autogpt.errors.StoreError`."""
    if settings_or_url is None or isinstance(settings_or_url, str):
        url, settings = settings_or_url, None
    else:
        url, settings = settings_or_url.store, settings_or_url
    url = (url or "").strip()
    if not url:
        if settings is None:
            from autogpt.config import Settings

            settings = Settings.load()
        return SQLiteStore(settings.store_path)
    if url.lower().startswith(_POSTGRES_SCHEMES):
        from autogpt.store.postgres import PostgresStore

        return PostgresStore(url)
    from autogpt.memory.postgres import mask_url

    raise ConfigError(f"Unknown store {mask_url(url)!r}: leave it empty for SQLite in the data dir "
                      "(autogpt.db), or give a PostgreSQL URL: postgresql://user:password@host/db "
                      "(or postgres://...).")
