"""The committed German catalogue is compiled: the .mo holds every translation of the .po."""
from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "webapp" / "translations"


def test_every_language_is_compiled_and_translated():
    languages = [path.name for path in TRANSLATIONS.iterdir() if (path / "LC_MESSAGES").is_dir()]
    assert "de" in languages
    for language in languages:
        folder = TRANSLATIONS / language / "LC_MESSAGES"
        with (folder / "messages.po").open("rb") as handle:
            po = read_po(handle)
        with (folder / "messages.mo").open("rb") as handle:
            mo = read_mo(handle)
        wanted = {m.id: m.string for m in po if m.id and not m.fuzzy}
        assert [key for key, text in wanted.items() if not text] == [], f"{language}: untranslated (make translations)"
        compiled = {m.id: m.string for m in mo if m.id}
        assert compiled == wanted, f"{language}: messages.mo is older than messages.po (make translations)"
