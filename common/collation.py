"""Vietnamese alphabetical order for names of provinces, parks and enterprises.

Python's ``sorted`` compares code points: "Đồng Nai" (U+0110) lands after "Yên Bái", and
"Hưng Yên" (ư is U+01B0) before "Hải Phòng" (ả is U+1EA3). :func:`vi_key` orders names the way
a Vietnamese dictionary does (Từ điển tiếng Việt, Viện Ngôn ngữ học; the same alphabet as
CLDR's Vietnamese collation):

- letters in the Vietnamese alphabet's order, ``a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t
  u ư v x y``, with the Latin letters it lacks (f, j, w, z) in their Latin places: Đ after D,
  Ơ after Ô, Ư after U;
- tone marks only break ties, in the order ngang (none), huyền (`), hỏi (̉), ngã (~), sắc (´),
  nặng (.): "ma" < "mà" < "mả" < "mã" < "má" < "mạ";
- a space sorts before any letter (word by word: "An Phú" before "Anh"), digits before letters,
  case last.

Databases order differently (SQLite by code point, PostgreSQL by its collation), so lists are
sorted in Python with this key after they are read (they are small: 34 provinces, about a
hundred parks, a park's tenants). ``tests/test_collation.py`` holds the examples.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

#: the letters in order: the Vietnamese alphabet, with f, j, w, z in their Latin places
ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_RANK = {letter: 20 + i for i, letter in enumerate(ALPHABET)}
#: base letter + combining mark → the Vietnamese letter it forms (breve, circumflex, horn)
_LETTERS = {
    ("a", "\u0306"): "ă",
    ("a", "\u0302"): "â",
    ("e", "\u0302"): "ê",
    ("o", "\u0302"): "ô",
    ("o", "\u031b"): "ơ",
    ("u", "\u031b"): "ư",
}
#: tone marks → their order (ngang 0 has no mark)
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}


def _rank(char: str) -> int:
    if char in _RANK:
        return _RANK[char]
    if char.isspace():
        return 1
    if char.isdigit():
        return 10 + int(unicodedata.digit(char, 0))
    if not char.isalnum():
        return 2  # punctuation: between a space and the digits
    return 1000 + ord(char)  # other scripts after the Latin alphabet


@functools.lru_cache(maxsize=16_384)  # names repeat on every page (577 parks, 749 tenants)
def vi_key(text: str) -> tuple:
    """The sort key of ``text`` in Vietnamese alphabetical order (see the module): a tuple
    (letters, tones, case and code points) to compare; ``sorted(names, key=vi_key)``."""
    text = text or ""
    decomposed = unicodedata.normalize("NFD", text)
    letters: list[int] = []
    tones: list[int] = []
    base: str | None = None
    tone = 0

    def flush() -> None:
        if base is not None:
            letters.append(_rank(base))
            tones.append(tone)

    for char in decomposed.lower():
        if unicodedata.combining(char):
            if base is not None and (base, char) in _LETTERS:
                base = _LETTERS[(base, char)]
            elif char in _TONES:
                tone = _TONES[char]
            continue
        flush()
        base, tone = char, 0
    flush()
    return (tuple(letters), tuple(tones), tuple(c.islower() for c in text), text)


def vi_sorted(items: Iterable[T], key: Callable[[T], str] = str) -> list[T]:
    """``items`` sorted by :func:`vi_key` of ``key(item)`` (default: the item as text)."""
    return sorted(items, key=lambda item: vi_key(key(item)))


def collate_choices(field) -> None:
    """Make a ``ModelChoiceField`` (or ``ModelMultipleChoiceField``) list its options in
    Vietnamese alphabetical order of their labels, whatever the database's ordering."""
    from django.forms.models import ModelChoiceIterator

    class VietnameseOrder(ModelChoiceIterator):
        def __iter__(self):
            if self.field.empty_label is not None:
                yield ("", self.field.empty_label)
            for obj in vi_sorted(self.queryset, key=self.field.label_from_instance):
                yield self.choice(obj)

    field.iterator = VietnameseOrder
