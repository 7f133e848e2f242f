"""A `notification-texts` plugin, in Python: the words the operator reads.

The host calls `render` with a message (a stable key such as `local-no-results`, plus named
arguments) and the operator's locale. This plugin words a few keys itself and answers `None`
for every other one, so that the host shows its built-in text there.

Config (optional): `fallback-locale`, such as `"en"`: a key this plugin words, but not in the
operator's locale, is worded in that locale rather than by the host's built-in text.
"""

import re
from dataclasses import dataclass
from typing import Dict, List, Optional

from componentize_py_types import Err
from wit_world import exports
from wit_world.imports import config, types

# The texts this plugin words, by key and locale. `{name}` is replaced by the message's
# argument `name`.
TEXTS: Dict[str, Dict[str, str]] = {
    "local-no-results": {
        "en": "No customers found here. Search the ERP as well?",
        "nl": "Geen klanten gevonden. Ook in het ERP zoeken?",
    },
    "existing-customer-overwritten": {
        "en": "The web shop says {web-last-name}, this till says {local-last-name}. Continue with {local-last-name}?",
    },
}

# `xx` or `xx-YY`.
LOCALE = re.compile(r"[a-z]{2}(-[A-Z]{2})?")


@dataclass
class Settings:
    """What the config says."""

    fallback_locale: Optional[str]


KINDS = {
    types.ConfigValue_Boolean: "a boolean",
    types.ConfigValue_Integer: "an integer",
    types.ConfigValue_Float: "a float",
    types.ConfigValue_Text: "a string",
    types.ConfigValue_TextList: "an array",
}


def settings(entries: List[types.ConfigEntry], errors: List[types.ConfigError]) -> Settings:
    """Reads the config, appending every problem to `errors`."""

    def problem(key: str, message: str) -> None:
        errors.append(types.ConfigError(key=key, message=message))

    values: Dict[str, types.ConfigValue] = {}
    for entry in entries:
        # The first entry of a key is its value, as for the host's `config.get`.
        values.setdefault(entry.key, entry.value)
        if entry.key != "fallback-locale":
            problem(entry.key, "unknown key; expected one of `fallback-locale`")
    fallback_locale = None
    value = values.get("fallback-locale")
    if value is not None and not isinstance(value, types.ConfigValue_Text):
        problem("fallback-locale", f"must be a string, found {KINDS[type(value)]}")
    elif value is not None:
        fallback_locale = value.value
        if not LOCALE.fullmatch(fallback_locale):
            problem("fallback-locale", f"`{fallback_locale}` is not a locale such as `en` or `nl-BE`")
    return Settings(fallback_locale=fallback_locale)


def template(key: str, locale: Optional[str]) -> Optional[str]:
    """The text of `key` in `locale`, if this plugin words it."""
    return TEXTS.get(key, {}).get(locale) if locale is not None else None


def text(message: types.Message, locale: str, settings: Settings) -> Optional[str]:
    """The words for `message` in `locale`; `None` leaves it to the host's built-in text."""
    found = template(message.key, locale) or template(message.key, settings.fallback_locale)
    if found is None:
        return None
    for arg in message.args:
        found = found.replace("{" + arg.name + "}", arg.value)
    return found


class Texts(exports.Texts):
    """The `pos:plugin/texts` interface: the slot's hooks."""

    def render(self, message: types.Message, locale: str) -> Optional[str]:
        # The host refuses a config that `validate_config` refuses, so no problem is left here.
        return text(message, locale, settings(config.entries(), []))

    def validate_config(self, entries: List[types.ConfigEntry]) -> None:
        errors: List[types.ConfigError] = []
        settings(entries, errors)
        if errors:
            # A hook returning `result<_, E>` raises `Err(e)` for its error.
            raise Err(errors)
