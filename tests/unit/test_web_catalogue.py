"""The pages speak Chinese by default and English as a switch: every Chinese text a page
shows goes through `_()` and has an English entry in a catalogue (`api/web/locale/*.toml`),
and the catalogues agree where they repeat a text."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

from api.web.i18n import LOCALE, english

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
TRANSLATED = re.compile(r"""_\(\s*(?:"([^"]*)"|'([^']*)')\s*\)""")
COMMENT = re.compile(r"\{#.*?#\}", re.DOTALL)
#: Texts shown as they are in every language: a language's name in itself.
UNTRANSLATED = frozenset({"中文"})


def template_texts() -> dict[str, set[str]]:
    """Template → the texts it translates."""
    found: dict[str, set[str]] = {}
    for template in sorted((WEB / "templates").rglob("*.html")):
        source = COMMENT.sub("", template.read_text(encoding="utf-8"))
        found[str(template.relative_to(WEB))] = {a or b for a, b in TRANSLATED.findall(source)}
    return found


def python_texts() -> dict[str, set[str]]:
    """Page module → the Chinese texts it holds outside its docstrings."""
    found: dict[str, set[str]] = {}
    for module in sorted(WEB.rglob("*.py")):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        docstrings = {
            id(node.value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        }
        found[str(module.relative_to(WEB))] = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docstrings
            and CJK.search(node.value)
        }
    return found


def test_templates_show_chinese_only_through_the_translator() -> None:
    untranslated = {}
    for template in sorted((WEB / "templates").rglob("*.html")):
        source = COMMENT.sub("", template.read_text(encoding="utf-8"))
        lines = TRANSLATED.sub("", source).splitlines()
        left = [f"{n}: {line.strip()}" for n, line in enumerate(lines, 1) if CJK.search(line)]
        if left:
            untranslated[str(template.relative_to(WEB))] = left
    assert untranslated == {}


def test_every_chinese_text_of_the_pages_has_its_english() -> None:
    catalogue = english()
    texts = {t for ts in template_texts().values() for t in ts} | {
        t for ts in python_texts().values() for t in ts
    }
    missing = sorted(t for t in texts - UNTRANSLATED if CJK.search(t) and t not in catalogue)
    assert missing == [], f"no English for: {missing[:20]}"


def test_catalogues_agree_where_they_repeat_a_text() -> None:
    seen: dict[str, tuple[str, str]] = {}
    for catalogue in sorted(LOCALE.glob("*.toml")):
        for chinese, english_text in tomllib.loads(catalogue.read_text("utf-8")).items():
            earlier = seen.setdefault(chinese, (catalogue.name, english_text))
            assert earlier[1] == english_text, f"{chinese!r}: {earlier} vs {catalogue.name}"
