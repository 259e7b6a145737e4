"""Both catalogues are complete: every string the code marks for translation has a Vietnamese
and an English entry, nothing fuzzy, and the compiled .mo files match the .po files."""

from __future__ import annotations

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import override_settings

from .conftest import require

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("vi", "en")


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", LANGS)
def test_catalogue_has_no_untranslated_or_fuzzy_entry(lang):
    po = catalogue(lang)
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_its_source(lang):
    po = catalogue(lang)
    mo = polib.mofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.mo"))
    compiled = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items()))) for e in mo
    }
    source = {
        (e.msgctxt, e.msgid): (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
        for e in po.translated_entries()
    }
    assert compiled == source


def test_vietnamese_catalogue_translates_the_states():
    po = {e.msgid: e.msgstr for e in catalogue("vi")}
    assert po["met"] == "đạt" or po["met"].lower() == "đạt"
    assert po["no threshold set"]


def test_every_marked_string_is_in_both_catalogues(tmp_path, monkeypatch):
    """Extract the strings afresh (needs GNU gettext's xgettext) in a scratch tree and compare."""
    require(shutil.which("xgettext") is not None, "GNU gettext (xgettext) is not installed")
    for name in (
        "ecopark",
        "common",
        "enterprises",
        "indicators",
        "registers",
        "surveys",
        "dashboards",
        "demo",
        "templates",
    ):
        (tmp_path / name).symlink_to(ROOT / name)
    work = tmp_path / "locale"
    work.mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[work]):
        call_command("makemessages", locale=["vi"], symlinks=True, verbosity=0)
    fresh = {e.msgid for e in polib.pofile(str(work / "vi" / "LC_MESSAGES" / "django.po"))}
    for lang in LANGS:
        have = {e.msgid for e in catalogue(lang).translated_entries()}
        missing = sorted(fresh - have)
        assert missing == [], f"{lang}: {len(missing)} strings not translated, e.g. {missing[:5]}"


def test_our_vietnamese_replaces_djangos_for_its_number_messages():
    from django import forms
    from django.utils import translation

    field = forms.IntegerField(min_value=1900, max_value=2100)
    with translation.override("vi"):
        messages = [_refusal(field, value).messages for value in ("1.5", "2200", "10")]
    assert messages == [
        ["Hãy nhập một số nguyên."],
        ["Giá trị phải nhỏ hơn hoặc bằng 2100."],
        ["Giá trị phải lớn hơn hoặc bằng 1900."],
    ]


def _refusal(field, value):
    from django import forms

    try:
        field.clean(value)
    except forms.ValidationError as exc:
        return exc
    raise AssertionError(f"{value!r} was accepted")
