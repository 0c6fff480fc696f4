"""Configuration: bot.toml for settings, environment variables for secrets (never the file)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ("TELEGRAM_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")


class ConfigError(Exception):
    pass


@dataclass
class Config:
    settings: dict
    env: dict

    def get(self, section: str, key: str, default=None):
        return (self.settings.get(section) or {}).get(key, default)

    @property
    def store_path(self) -> str:
        return self.env.get("BOT_DB") or str(ROOT / self.get("store", "path", "data/bot.db"))

    @property
    def knowledge_dir(self) -> Path:
        return Path(self.env.get("BOT_KNOWLEDGE") or ROOT / self.get("bot", "knowledge", "knowledge"))

    @property
    def default_lang(self) -> str:
        return self.get("bot", "default_lang", "ko")

    @property
    def telegram_base_url(self) -> str:
        """The Bot API address (a proxy, or the tests' stand-in); the token is appended by the library."""
        return self.env.get("TELEGRAM_BASE_URL") or self.get("telegram", "base_url", "https://api.telegram.org/bot")

    @property
    def slack_api_url(self) -> str:
        return self.env.get("SLACK_API_URL") or self.get("slack", "api_url", "https://slack.com/api/")

    def limiter(self):
        from .rate_limit import RateLimiter

        return RateLimiter(per_minute=float(self.get("limits", "messages_per_minute", 20)),
                           burst=int(self.get("limits", "burst", 5)))

    def secret(self, name: str) -> str | None:
        return self.env.get(name) or None


def load(path: str | Path | None = None, env: dict | None = None) -> Config:
    """Read bot.toml (BOT_CONFIG overrides the path); a broken file is a ConfigError naming it."""
    env = dict(os.environ if env is None else env)
    path = Path(path or env.get("BOT_CONFIG") or ROOT / "bot.toml")
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    for section in settings.values():
        for key in (section or {}) if isinstance(section, dict) else ():
            if any(word in key.lower() for word in ("token", "secret", "password")):
                raise ConfigError(f"{path}: '{key}' looks like a secret; set it as an environment variable instead")
    return Config(settings, env)
