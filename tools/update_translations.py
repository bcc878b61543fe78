"""Refresh the message catalog: extract every _()/N_() string of the mediator package with Babel,
then merge the template into each language's .po (new strings come in untranslated, translations
of unchanged strings are kept). Translate the new entries in the .po by hand afterwards.

    python tools/update_translations.py            # extract + update
    python tools/update_translations.py --check    # exit 1 if a msgid lacks a translation
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "resources" / "translations"
TEMPLATE = TRANSLATIONS / "mediator.pot"
LANGUAGES = ("en",)
# Text that goes into court documents as it is: it stays Chinese whatever the interface language.
DOCUMENT_TEXT = frozenset({"本协议经人民法院司法确认之日起三十日内", "以甲方书面确认的账户为准", "银行转账"})
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def extract() -> None:
    subprocess.run(
        [
            sys.executable, "-m", "babel.messages.frontend", "extract",
            "-F", str(TRANSLATIONS / "babel.cfg"),
            "-k", "N_",
            "--no-location", "--sort-output", "--omit-header",
            "-o", str(TEMPLATE),
            ".",
        ],
        check=True,
        cwd=ROOT,
    )  # fmt: skip


def update(language: str) -> None:
    po = TRANSLATIONS / language / "LC_MESSAGES" / "mediator.po"
    command = "update" if po.exists() else "init"
    args = [sys.executable, "-m", "babel.messages.frontend", command, "-i", str(TEMPLATE), "-l", language]
    args += ["-o", str(po)] if command == "update" else ["-d", str(TRANSLATIONS), "-D", "mediator"]
    if command == "update":
        args += ["--no-fuzzy-matching", "--ignore-obsolete"]
    subprocess.run(args, check=True, cwd=ROOT)


def check(language: str) -> list[str]:
    """Problems in a language's catalog: untranslated entries and placeholders that differ."""
    from babel.messages.pofile import read_po

    po = TRANSLATIONS / language / "LC_MESSAGES" / "mediator.po"
    with po.open("rb") as fh:
        catalog = read_po(fh)
    problems = []
    for message in catalog:
        if not message.id or message.id in DOCUMENT_TEXT:
            continue
        if not message.string:
            problems.append(f"untranslated: {message.id}")
        elif sorted(_PLACEHOLDER.findall(message.id)) != sorted(_PLACEHOLDER.findall(message.string)):
            problems.append(f"placeholders differ: {message.id} -> {message.string}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    if not args.check:
        extract()
        for language in LANGUAGES:
            update(language)
    problems = [p for language in LANGUAGES for p in check(language)]
    for problem in problems:
        print(problem)
    return 1 if args.check and problems else 0


if __name__ == "__main__":
    sys.exit(main())
