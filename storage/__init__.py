"""SQLite storage: the single source of truth for everything a user tells the coach."""

from storage.store import Nudge, Store, default_db_path

__all__ = ["Nudge", "Store", "default_db_path"]
