"""The catalogues are complete: every string the code marks for translation has a Simplified Chinese
and an English translation, and none is fuzzy (issue 4: complete zh-Hans and en catalogues)."""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command
from django.test import Client

BASE_DIR = Path(__file__).resolve().parent.parent
LANGUAGES = ["zh_Hans", "en"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def catalogue(language: str, root: Path = BASE_DIR) -> polib.POFile:
    return polib.pofile(str(root / "locale" / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_entry_is_translated_and_none_is_fuzzy(language):
    po = catalogue(language)
    assert len(po) > 500
    missing = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert not missing, missing[:20]
    assert not fuzzy, fuzzy[:20]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language):
    for entry in catalogue(language).translated_entries():
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(set(PLACEHOLDER.findall(text))) == sorted(set(PLACEHOLDER.findall(entry.msgid))), (
                entry.msgid,
                text,
            )


def test_the_catalogues_hold_every_string_the_code_marks(tmp_path, settings, monkeypatch):
    """Extract the strings afresh (as scripts/update-messages does) into a copy of the catalogues:
    nothing new may appear, so no page shows an untranslated string."""
    if shutil.which("xgettext") is None:
        pytest.skip("gettext is not installed (apt-get install gettext)")
    # makemessages writes into the locale/ folder of the tree it walks, whatever LOCALE_PATHS says:
    # it walks a copy of the sources, so the committed catalogues are never touched.
    skipped = (".git", ".venv", "node_modules", "var", "tests", "staticfiles", "dist", "screenshots")
    shutil.copytree(BASE_DIR, tmp_path, ignore=shutil.ignore_patterns(*skipped), dirs_exist_ok=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=LANGUAGES, no_location=True, no_obsolete=True, verbosity=0)
    for language in LANGUAGES:
        committed = {entry.msgid for entry in catalogue(language)}
        extracted = {entry.msgid for entry in catalogue(language, tmp_path)}
        assert extracted - committed == set(), f"run scripts/update-messages and translate ({language})"


def test_pages_follow_the_language_cookie(db):
    client = Client()
    chinese = client.get("/accounts/login/").content.decode()
    assert '<html lang="zh-Hans"' in chinese and "登录" in chinese
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/accounts/login/").content.decode()
    assert '<html lang="en"' in english and "Sign in" in english
