"""The bibliographic source notes of the criteria in the active language.

A criterion's ``sources`` (``indicators.models.Criterion.sources``) are lines such as
"S1: https://…" or "S14: a public software requirements specification …; secondary source",
stored in English as the framework files give them (``indicators/data/frameworks/*.yaml``).
``indicators/data/source-notes.yaml`` pairs each worded line (``en``) with its Vietnamese
(``vi``); :func:`source_line_text` shows the Vietnamese in the Vietnamese interface.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

NOTES_FILE = Path(__file__).resolve().parent / "data" / "source-notes.yaml"


@cache
def vietnamese_notes() -> dict[str, str]:
    """``{english line: Vietnamese line}`` read once from :data:`NOTES_FILE`. Raises
    ``ValueError`` for an entry without both ``en`` and ``vi``."""
    entries = yaml.safe_load(NOTES_FILE.read_text(encoding="utf-8")) or []
    notes = {}
    for entry in entries:
        if not (entry.get("en") and entry.get("vi")):
            raise ValueError(f"{NOTES_FILE.name}: each entry needs en and vi: {entry!r}")
        notes[entry["en"]] = entry["vi"]
    return notes


def source_line_text(line: str, *, vietnamese: bool) -> str:
    """``line`` as the page shows it: its Vietnamese when ``vietnamese`` and the notes file
    has one for exactly this line, else ``line`` unchanged (addresses, other wording)."""
    if vietnamese:
        return vietnamese_notes().get(line, line)
    return line
