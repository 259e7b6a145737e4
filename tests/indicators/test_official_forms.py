"""The four Circular 05/2025 forms, field by field: every data field of the reference
(``indicators/data/forms/reference/*.csv``) has its place in a form definition."""

from __future__ import annotations

import csv
import re
from decimal import Decimal

import pytest
import yaml

from indicators.models import DataElement
from indicators.official_forms import (
    FORMS_DIR,
    FormDefinitionError,
    Kind,
    SourceKind,
    form_from_dict,
    official_form,
    official_forms,
    period_years,
)

REFERENCE = FORMS_DIR / "reference"
FILES = {"A.4": "A4.csv", "A.5": "A5.csv", "B.4": "B4.csv", "B.5": "B5.csv"}


def reference_rows(code: str) -> list[dict]:
    with open(REFERENCE / FILES[code], encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def part_of(section: str) -> str:
    match = re.match(r"Phần (IV|III|II|I)\b", section)
    return match.group(1) if match else "I"


def placed(code: str, row: dict):
    """The item of form ``code`` that holds the reference row, or None."""
    form = official_form(code)
    candidates = [i for i in form.items() if i.ref == row["no"]]
    if code in ("A.4", "B.4"):  # numbers repeat across parts: match the part too
        candidates = [
            i
            for i in candidates
            if any(
                part.number == part_of(row["section"]) and i in s.items
                for part in form.parts
                for s in part.sections
            )
        ]
    return candidates[0] if len(candidates) == 1 else None


@pytest.mark.parametrize(
    ("code", "expected"), [("A.4", 110), ("A.5", 18), ("B.4", 107), ("B.5", 5)]
)
def test_every_data_field_of_the_reference_has_its_place_in_the_form(code, expected):
    rows = [r for r in reference_rows(code) if r["data_field"] == "yes"]
    assert len(rows) == expected
    missing = [r["no"] for r in rows if placed(code, r) is None]
    assert missing == []
    for row in rows:
        item = placed(code, row)
        assert item.is_data, row["no"]
        assert item.label_vi == row["label_vi"], row["no"]
        assert item.required == (row["required"] == "yes"), row["no"]


@pytest.mark.parametrize("code", ["A.4", "B.4"])
def test_the_forms_headings_are_kept_as_headings(code):
    headings = [r for r in reference_rows(code) if r["data_field"] == "no"]
    for row in headings:
        item = placed(code, row)
        assert item is not None and item.kind is Kind.HEADING, row["no"]


@pytest.mark.parametrize("code", ["A.4", "A.5", "B.4", "B.5"])
def test_a_form_has_no_field_the_reference_lacks_except_supporting_inputs(code):
    refs = {r["no"] for r in reference_rows(code)}
    extra = [i.key for i in official_form(code).items() if i.ref not in refs and not i.supporting]
    assert extra == []


def test_the_forms_come_in_filing_order_by_subject():
    assert [f.code for f in official_forms()] == ["A.4", "A.5", "B.4", "B.5"]
    assert [f.code for f in official_forms(subject="park")] == ["A.4", "A.5"]
    assert [f.code for f in official_forms(subject="enterprise", framework="VN-2022")] == [
        "B.4",
        "B.5",
    ]


def test_land_shares_are_calculations_over_the_total_area():
    form = official_form("A.4")
    share = form.item("I.2.5.3")
    assert share.read_only and share.source.calculation.terms == ("I.2.5.2", "I.2.5.1")
    assert share.source.calculation.compute(
        {"I.2.5.2": Decimal("25.5"), "I.2.5.1": Decimal("250")}
    ) == Decimal("10.20")


def test_the_symbiosis_total_adds_the_shared_service_saving_the_reference_leaves_out():
    terms = official_form("A.4").item("III.3.25").source.calculation.terms
    assert "III.3.27" in terms and "III.3.22" not in terms


def test_b5_percentages_accept_every_value_from_0_to_100():
    for item in official_form("B.5").data_items():
        assert (item.minimum, item.maximum) == (Decimal(0), Decimal(100)), item.key


def test_periods_give_the_years_of_a_2025_report():
    assert period_years("to_n_minus_2", 2025) == (None, 2024)
    assert period_years("n_minus_1", 2025) == (2025, 2025)
    assert period_years("end_n_minus_1", 2025) == (None, 2025)
    assert period_years("plan_n_plus_3", 2025) == (2026, 2029)
    assert period_years(None, 2025) == (None, None)


def test_a_form_file_with_an_unknown_calculation_term_is_refused_naming_it():
    data = {
        "code": "X.1",
        "subject": "park",
        "framework": "VN-2022",
        "title_vi": "x",
        "title_en": "x",
        "instrument_vi": "x",
        "instrument_en": "x",
        "parts": [
            {
                "number": "I",
                "title_vi": "x",
                "title_en": "x",
                "sections": [
                    {
                        "key": "S",
                        "title_vi": "x",
                        "title_en": "x",
                        "items": [
                            {
                                "key": "a",
                                "no": "1",
                                "label_vi": "a",
                                "label_en": "a",
                                "kind": "decimal",
                                "source": {"kind": "calculation", "sum": ["b"]},
                            }
                        ],
                    }
                ],
            }
        ],
    }
    with pytest.raises(FormDefinitionError) as exc:
        form_from_dict(data)
    assert exc.value.errors == ["X.1 a: the calculation names unknown item b"]


def test_a_condition_above_a_number_holds_only_for_a_greater_number():
    from indicators.official_forms import Condition

    b4 = official_form("B.4")
    condition = b4.item("IV.P4.2").show_if
    assert condition == Condition(item="IV.P4.1", above=Decimal(0))
    assert b4.item("IV.P4.33").show_if == condition and b4.item("IV.P4.1").show_if is None
    assert [condition.holds(v) for v in (Decimal(0), 0, Decimal(2), "1", "abc")] == [
        False,
        False,
        True,
        True,
        False,
    ]
    assert Condition(item="x", equals=True).holds(True)


def one_section_form(code: str, section: str) -> dict:
    """A form definition ``code`` with one part holding one section (``section``: YAML of
    the section's keys after ``key: S``, indented by four spaces)."""
    return yaml.safe_load(
        f"""
code: {code}
subject: park
framework: VN-2022
title_vi: x
title_en: x
instrument_vi: x
instrument_en: x
parts:
- number: I
  title_vi: x
  title_en: x
  sections:
  - key: S
    title_vi: x
    title_en: x
{section}"""
    )


def test_a_condition_above_a_word_is_refused_naming_the_item():
    data = one_section_form(
        "X.2",
        """\
    items:
    - {key: a, 'no': '1', label_vi: a, label_en: a, kind: integer, source: {kind: entered}}
    - {key: b, 'no': '2', label_vi: b, label_en: b, kind: text, source: {kind: entered},
       show_if: {item: a, above: some}}
    - {key: c, 'no': '3', label_vi: c, label_en: c, kind: text, source: {kind: entered},
       show_if: {item: a, above: 1, equals: 2}}
""",
    )
    with pytest.raises(FormDefinitionError) as exc:
        form_from_dict(data)
    assert exc.value.errors == [
        "X.2 b: show_if 'above' must be a number",
        "X.2 c: show_if needs exactly 'item' and 'equals' (or 'above')",
    ]


@pytest.mark.django_db
def test_every_data_element_a_form_names_is_in_vn2022_for_the_forms_subject(catalogue):
    elements = {e.code: e for e in DataElement.objects.filter(version=catalogue.vn2022)}
    for form in official_forms(framework="VN-2022"):
        for item in form.items():
            if item.source.kind is SourceKind.ELEMENT:
                element = elements[item.source.element]
                assert element.applies_to == form.subject, item.key
                if item.kind is Kind.YES_NO:
                    assert element.value_type == "yes_no", item.key
                elif item.kind is Kind.PERCENTAGE:
                    assert element.value_type == "percentage", item.key
                    assert (element.min_value, element.max_value) == (0, 100), item.key


def test_every_note_is_written_in_vietnamese_and_english():
    notes = []
    for form in official_forms():
        for part in form.parts:
            for section in part.sections:
                for thing in (section, *section.items):
                    if thing.note_vi or thing.note_en:
                        notes.append((form.code, thing.key, thing.note("vi"), thing.note("en")))
    assert len(notes) == 29  # A.4 10 (one a section's), A.5 3, B.4 11, B.5 5
    assert all(vi and en and vi != en for _, _, vi, en in notes)
    b4 = official_form("B.4")
    assert b4.item("III.P3.6").note("vi") == (
        "Một khối lượng kèm đơn vị (lít, m³, tấn, …): các loại nhiên liệu không bao giờ được "
        "quy đổi sang nhau."
    )
    assert b4.item("III.P3.6").note("en") == (
        "A quantity with its unit (litre, m³, tonne, …): fuels are never converted into one "
        "another."
    )
    assert (
        official_form("A.5").item("ENV.4").note("vi")
        == "Mã trong tài liệu tham chiếu ghi là 'EVN.4'."
    )


def test_a_note_in_one_language_or_under_the_old_key_is_refused():
    data = one_section_form(
        "X.3",
        """\
    note_en: only English
    items:
    - {key: a, 'no': '1', label_vi: a, label_en: a, kind: text, source: {kind: entered},
       note: old}
    - {key: b, 'no': '2', label_vi: b, label_en: b, kind: text, source: {kind: entered},
       note_vi: chỉ tiếng Việt}
""",
    )
    with pytest.raises(FormDefinitionError) as exc:
        form_from_dict(data)
    assert exc.value.errors == [
        "X.3 S: a note needs both 'note_vi' and 'note_en'",
        "X.3 a: 'note' is written as 'note_vi' and 'note_en'",
        "X.3 b: a note needs both 'note_vi' and 'note_en'",
    ]
