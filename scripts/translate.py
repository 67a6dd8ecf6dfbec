"""Update the Swedish catalogue: collect the strings, fill new ones, compile.

    .venv/bin/python scripts/translate.py [translations.json ...]

Each JSON file maps an English msgid to its Swedish msgstr. Entries that are new or fuzzy after
makemessages take their translation from those files; an entry still without one is listed and the
script exits 1, so an untranslated string does not slip through. Run it under `flock` when several
people work in one checkout: makemessages rewrites the whole catalogue.
"""

import json
import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po"
IGNORED = [".venv", "staticfiles", "tests_vendor", "var", "node_modules"]


def main(paths):
    translations = {}
    for path in paths:
        translations.update(json.loads(Path(path).read_text(encoding="utf-8")))
    manage = [sys.executable, str(ROOT / "manage.py")]
    ignore = [f"--ignore={name}" for name in IGNORED]
    subprocess.run([*manage, "makemessages", "-l", "sv", "--no-location", *ignore], check=True, cwd=ROOT)
    catalogue = polib.pofile(str(CATALOGUE), wrapwidth=78)
    missing = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        done = all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        if entry.msgid in translations and (entry.fuzzy or not done):
            # A plural entry takes a list: [singular, plural].
            value = translations[entry.msgid]
            if entry.msgid_plural:
                entry.msgstr_plural = dict(enumerate(value))
            else:
                entry.msgstr = value
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            entry.previous_msgid = entry.previous_msgid_plural = None
            done = True
        if entry.fuzzy or not done:
            missing.append(entry.msgid)
    catalogue.save(str(CATALOGUE))
    subprocess.run(["msgfmt", "--check", "-o", str(CATALOGUE.with_suffix(".mo")), str(CATALOGUE)], check=True)
    if missing:
        print("Untranslated:", *missing, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
