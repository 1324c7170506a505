"""Completeness of the portal's message catalogues: Chinese at least as complete as English, every literal key a
template or page module asks for present in both, and every number of an English message also in the Chinese."""

from __future__ import annotations

import json
import re
from pathlib import Path

WEB = Path(__file__).resolve().parents[2] / "src" / "cbec" / "web"
KEY = re.compile(r"""\bt\(\s*['"]([a-z_][\w.\-*]*)['"]\s*[,)]""")  # literal keys; t('doc.' ~ kind) is not one
NUMBER = re.compile(r"\d+")
# The same figure written in each language's own unit.
SAME_FIGURE = {"targets.help": "50 亿元 is CNY 5 bn"}


def _catalogue(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((WEB / "locales" / f"{lang}.json").read_text(encoding="utf-8"))
    return data


def test_both_catalogues_have_the_same_keys_and_no_empty_text() -> None:
    zh, en = _catalogue("zh-CN"), _catalogue("en")
    assert sorted(set(en) - set(zh)) == []
    assert sorted(set(zh) - set(en)) == []
    assert [key for key, text in zh.items() if not text.strip()] == []


def test_every_literal_key_of_the_templates_and_pages_is_in_the_catalogues() -> None:
    zh = _catalogue("zh-CN")
    sources = [*WEB.glob("templates/**/*.html"), *WEB.glob("*.py")]
    used = {key for path in sources for key in KEY.findall(path.read_text(encoding="utf-8"))}
    assert sorted(key for key in used if key not in zh) == []


def test_every_number_of_an_english_text_is_in_its_chinese_text() -> None:
    zh, en = _catalogue("zh-CN"), _catalogue("en")
    missing = {
        key: sorted(set(NUMBER.findall(text)) - set(NUMBER.findall(zh[key])))
        for key, text in en.items()
        if key not in SAME_FIGURE and set(NUMBER.findall(text)) - set(NUMBER.findall(zh[key]))
    }
    assert missing == {}
