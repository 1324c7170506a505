"""Message catalogue of the web portal (界面文字): zh-CN first, English on request (?lang=en or the lang cookie).

Every label and error shown by the pages comes from ``locales/<lang>.json``. Domain messages are bilingual
("中文 / English"); ``pick`` shows the half that matches the page's language.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request

from cbec.common.errors import Problem

LOCALES = Path(__file__).parent / "locales"
SUPPORTED = ("zh-CN", "en")
DEFAULT = "zh-CN"
COOKIE = "lang"
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Return the messages of one language."""
    data: dict[str, str] = json.loads((LOCALES / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def language(request: Request) -> str:
    """Return the page language: ?lang= first, then the cookie, else Chinese."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(COOKIE)):
        if candidate in SUPPORTED:
            return candidate
        if candidate and candidate.lower().startswith("zh"):
            return DEFAULT
    return DEFAULT


class Translator:
    """Looks labels up in the catalogue of one language (falling back to Chinese, then to the key)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in SUPPORTED else DEFAULT
        self.messages = catalogue(self.lang)
        self.fallback = catalogue(DEFAULT)

    def __call__(self, key: str, **values: Any) -> str:
        """Return the text of a key, with {placeholders} filled in."""
        text = self.messages.get(key) or self.fallback.get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """Tell whether the catalogue knows a key."""
        return key in self.messages

    @property
    def english(self) -> bool:
        """Tell whether the page is in English."""
        return self.lang == "en"

    def pick(self, text: str | None) -> str:
        """Return the half of a bilingual "中文 / English" text that matches the language (the whole text if single).

        The Chinese half is never less complete than the English: when the English names a number the Chinese
        leaves out, the English follows in brackets.
        """
        if not text:
            return ""
        zh, sep, en = text.partition(" / ")
        if not sep:
            return text
        zh, en = zh.strip(), en.strip()
        if self.english:
            return en
        if any(number not in zh for number in NUMBER.findall(en)):
            return f"{zh}（{en}）"
        return zh

    def status(self, code: str | None) -> str:
        """Return the name of a receipt status (2, 120, 300, ... or a negative business code)."""
        if not code:
            return ""
        if code.startswith("-"):
            return self("status.negative")
        return self(f"status.{code}") if self.has(f"status.{code}") else code

    def rule(self, rule_id: str) -> str:
        """Return the plain-language name of a rule id, by exact id or by family (ID-*, FMT-*...)."""
        for key in (f"rule.{rule_id}", f"rule.{rule_id.split('-')[0]}-*"):
            if key in self.messages:
                return self.messages[key]
        return rule_id

    def fix(self, found: Problem) -> str:
        """Return how to fix a problem in plain language: the catalogue's advice, else the rule's own hint."""
        for key in (f"fix.{found.rule_id}", f"fix.{found.rule_id.split('-')[0]}-*"):
            if key in self.messages:
                return self.messages[key]
        return found.hint

    def field(self, name: str) -> str:
        """Return a readable name of a problem's field such as payment.amount_paid.

        An internal name or XPath the catalogue does not know stays in the English page (for the integrator); the
        Chinese page names its last step when it can, else says "the field in the message".
        """
        if self.has(f"field.{name}"):
            return self(f"field.{name}")
        kind, _, attribute = name.partition(".")
        if attribute and self.has(f"doc.{kind}") and self.has(f"attr.{attribute}"):
            return f"{self(f'doc.{kind}')} · {self(f'attr.{attribute}')}"
        if self.has(f"attr.{name}"):
            return self(f"attr.{name}")
        if self.english or not name:
            return name
        steps = [step for step in re.split(r"[/.@:\[\]]", name) if step and not step.isdigit()]
        last = CAMEL.sub("_", steps[-1]).lower() if steps else ""
        return self(f"attr.{last}") if self.has(f"attr.{last}") else self("problem.field.message")
