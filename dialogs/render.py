"""Jinja rendering for Telegram HTML. Autoescape is always on: user text is data."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

_BLANK_RUNS = re.compile(r"\n{3,}")


def _clip(value: object, limit: int = 80) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pick(options: list[str], seed: int) -> str:
    """Choose a wording variant deterministically, so repeated prompts vary."""
    return options[seed % len(options)] if options else ""


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("dialogs", "templates"),
        autoescape=True,  # every template, whatever its extension
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # templates ship with the package; skip a stat() per render
        cache_size=-1,
    )
    env.filters["clip"] = _clip
    env.globals["pick"] = _pick
    return env


def render(template: str, **context: Any) -> str:
    """Render one reply template to Telegram HTML."""
    text = environment().get_template(template).render(**context)
    return _BLANK_RUNS.sub("\n\n", text).strip()


def template_names() -> list[str]:
    return sorted(environment().list_templates(extensions=["j2"]))
