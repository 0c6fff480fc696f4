"""Who is an admin: the user ids listed in bot.toml `[admin] users` ("telegram:123", "slack:U012AB")."""
from __future__ import annotations


def admin_users(source) -> set[str]:
    """The admin ids of a Config (bot.toml [admin] users) or of an Assistant (its `admins`)."""
    if source is None:
        return set()
    if hasattr(source, "settings") and hasattr(source, "get"):
        users = source.get("admin", "users", []) or []
        return {str(u) for u in users}
    return set(getattr(source, "admins", None) or ())


def is_admin(cfg_or_assistant, user: str | None) -> bool:
    return bool(user) and user in admin_users(cfg_or_assistant)
