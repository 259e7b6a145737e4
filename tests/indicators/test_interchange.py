"""A framework round-trips through YAML and XLSX; imports check everything and save all or
nothing; each error names its sheet, cell and column.

Hand-worked positions used below (from ``indicators/data/frameworks/vn-2022.yaml`` and the
column order of ``indicators.interchange``): VN35-EIP-E4 is the 9th criterion and the 9th
indicator of the file, so it sits on Excel row 10 of both sheets (row 1 is the header).
Criteria columns: A code, B category, C applies_to, D level, E rule, F indicator,
G operator, H threshold, ... N title_en. Indicators: A code, B applies_to, C formula.
Data elements: ... I min_value. The ``framework`` sheet: row 2 code, 3 title_vi,
4 title_en, 5 version, 6 version_title_vi, 7 version_title_en, 8 status, 9 effective_from.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal

import pytest
import yaml
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from indicators.interchange import (
    export_xlsx,
    export_yaml,
    import_xlsx,
    import_yaml,
    version_to_dict,
)
from indicators.models import Criterion, FrameworkVersion
from indicators.services import FrameworkFileError, framework_load, frameworks_load_shipped

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


@pytest.fixture
def v1():
    """VN-2022 v1 as shipped (published)."""
    frameworks_load_shipped()
    return FrameworkVersion.objects.get(framework__code="VN-2022", number=1)


def snapshot(version: FrameworkVersion) -> dict:
    """Every stored field of a version's rows (foreign keys as codes), for comparison."""

    def rows(queryset):
        out = []
        for obj in queryset:
            row = {}
            for f in obj._meta.concrete_fields:
                if f.name in ("id", "version"):
                    continue
                value = getattr(obj, f.attname)
                if f.is_relation and value is not None:
                    value = getattr(obj, f.name).code
                row[f.name] = value
            out.append(row)
        return out

    return {
        "version": {
            f: getattr(version, f)
            for f in ("title_vi", "title_en", "instruments", "effective_from", "effective_to")
        },
        "categories": rows(version.categories.order_by("order")),
        "data_elements": rows(version.data_elements.order_by("order")),
        "indicators": rows(version.indicators.order_by("pk")),
        "criteria": rows(
            version.criteria.select_related("category", "indicator").order_by("order")
        ),
    }


def edit_xlsx(data: bytes, cells: dict[tuple[str, str], object]) -> bytes:
    """Set cells ``{(sheet, "H10"): value}`` with openpyxl, as a person editing in Excel would."""
    wb = load_workbook(io.BytesIO(data))
    for (sheet, ref), value in cells.items():
        wb[sheet][ref] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def as_v2(data: bytes, cells: dict | None = None) -> bytes:
    """The exported workbook with its version number changed to 2 (framework!B5) and edits."""
    return edit_xlsx(data, {("framework", "B5"): 2, **(cells or {})})


def refused(call) -> list[str]:
    """The errors of an import that must fail, after checking that it saved nothing."""
    versions, criteria = FrameworkVersion.objects.count(), Criterion.objects.count()
    with pytest.raises(FrameworkFileError) as exc:
        call()
    assert FrameworkVersion.objects.count() == versions
    assert Criterion.objects.count() == criteria
    return exc.value.errors


# --- export shape -------------------------------------------------------------------------


def test_version_to_dict_writes_thresholds_as_plain_numbers_and_keeps_nulls(v1):
    doc = version_to_dict(v1)
    criteria = {c["code"]: c for c in doc["versions"][0]["criteria"]}
    assert criteria["VN35-EIP-E4"]["threshold"] == 20
    assert type(criteria["VN35-EIP-E4"]["threshold"]) is int
    assert criteria["VN35-EIP-E4"]["weight"] == 1
    assert criteria["VN35-EIP-E2"]["threshold"] == 1
    # VN35-EIP-I1 is a yes/no look-back (Art. 37(1)): no threshold, 3 years.
    assert criteria["VN35-EIP-I1"]["threshold"] is None
    assert criteria["VN35-EIP-I1"]["lookback_years"] == 3
    assert criteria["VN35-EIP-I1"]["operator"] is None
    text = export_yaml(v1)
    assert "threshold: 20\n" in text and "20.000000" not in text
    assert "threshold: null" in text


def test_version_to_dict_matches_the_shipped_file(v1):
    """Every value of the shipped file comes back from the database as written."""
    shipped = yaml.safe_load(
        open("indicators/data/frameworks/vn-2022.yaml", encoding="utf-8").read()
    )["versions"][0]
    exported = version_to_dict(v1)["versions"][0]
    for section in ("categories", "data_elements", "indicators", "criteria"):
        assert [r["code"] for r in exported[section]] == [r["code"] for r in shipped[section]]
        for ours, theirs in zip(exported[section], shipped[section], strict=True):
            for key, value in theirs.items():
                assert ours[key] == (value if value != "" or key != "operator" else None), (
                    section,
                    ours["code"],
                    key,
                )


def test_export_xlsx_has_typed_cells_frozen_headers_and_dropdowns(v1):
    wb = load_workbook(io.BytesIO(export_xlsx(v1)))
    assert wb.sheetnames == ["framework", "categories", "data_elements", "indicators", "criteria"]
    fw = wb["framework"]
    assert [fw[f"A{r}"].value for r in range(2, 6)] == ["code", "title_vi", "title_en", "version"]
    assert fw["B5"].value == 1 and fw["B8"].value == "published"
    assert fw["B9"].value.date().isoformat() == "2022-07-15"
    assert fw["A11"].value == "instrument" and fw["A12"].value == "instrument"
    assert fw["B11"].value.startswith("Decree 35/2022/ND-CP")
    ws = wb["criteria"]
    assert ws.freeze_panes == "B2"
    assert ws["A1"].value == "code" and ws["H1"].value == "threshold"
    assert ws["A10"].value == "VN35-EIP-E4"
    assert ws["H10"].value == 20 and ws["H10"].data_type == "n"
    assert ws["G10"].value == ">=" and ws["G10"].data_type == "s"
    assert ws["A2"].value == "VN35-EIP-I1" and ws["H2"].value is None  # blank, not 0 or ""
    sources = ws.cell(row=2, column=22)
    assert ws.cell(row=1, column=22).value == "sources"
    assert sources.value.count("\n") == 2  # three sources, one per line
    formulas = {
        str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation
    }
    assert formulas["C2"] == '"park,park_new,enterprise"'  # applies_to
    assert formulas["D2"] == '"mandatory,performance"'  # level
    assert formulas["E2"] == '"yes_no,compare,count,lookback,none"'  # rule
    assert formulas["G2"] == '">=,>,<=,<,="'  # operator
    assert formulas["T2"] == '"verified,partial,secondary,unverified"'  # verification_status
    assert formulas["B2"] == "category_codes"
    elements = wb["data_elements"]
    element_lists = [dv.formula1 for dv in elements.data_validations.dataValidation]
    assert '"yes_no,integer,decimal,percentage,choice,date,text,document"' in element_lists
    assert 8 <= ws.column_dimensions["A"].width <= 60
    assert ws.column_dimensions["N"].width == 60  # long English titles: capped


# --- round trips ------------------------------------------------------------------------


def test_yaml_round_trip_reproduces_every_row_of_vn_2022_v1(v1):
    doc = yaml.safe_load(export_yaml(v1))
    doc["versions"][0]["number"] = 2
    result = import_yaml(yaml.safe_dump(doc, allow_unicode=True))
    assert result.created == ["VN-2022 v2"]
    v2 = FrameworkVersion.objects.get(framework__code="VN-2022", number=2)
    assert snapshot(v2) == snapshot(v1)
    assert v2.criteria.count() == 42 and v2.data_elements.count() == 39
    assert v2.indicators.count() == 40 and v2.categories.count() == 9
    assert v2.status == "draft"  # an import is a draft until ministry staff publish it


def test_yaml_import_of_a_new_framework_keeps_number_and_status_when_asked(v1):
    """safe_dump(version_to_dict(v)) loaded where that framework does not exist yet."""
    doc = version_to_dict(v1)
    doc["code"] = "VN-2022-COPY"
    result = import_yaml(yaml.safe_dump(doc, allow_unicode=True), keep_status=True)
    assert result.created == ["VN-2022-COPY v1"]
    copy = FrameworkVersion.objects.get(framework__code="VN-2022-COPY", number=1)
    assert snapshot(copy) == snapshot(v1)
    assert copy.status == "published"
    assert copy.framework.title_en == "Decree 35/2022/ND-CP + Circular 05/2025/TT-BKHĐT"


def test_xlsx_round_trip_reproduces_every_row_of_vn_2022_v1(v1):
    result = import_xlsx(as_v2(export_xlsx(v1)))
    assert result.created == ["VN-2022 v2"]
    v2 = FrameworkVersion.objects.get(framework__code="VN-2022", number=2)
    assert snapshot(v2) == snapshot(v1)
    assert v2.status == "draft"


def test_import_as_number_renumbers_the_version(v1):
    import_xlsx(export_xlsx(v1), as_number=3)
    import_yaml(export_yaml(v1), as_number=4)
    assert sorted(
        FrameworkVersion.objects.filter(framework__code="VN-2022").values_list("number", flat=True)
    ) == [1, 3, 4]


def test_a_threshold_corrected_in_excel_changes_only_the_new_version(v1):
    import_xlsx(as_v2(export_xlsx(v1), {("criteria", "H10"): 25.5}))
    e4 = {c.version.number: c.threshold for c in Criterion.objects.filter(code="VN35-EIP-E4")}
    assert e4 == {1: Decimal("20"), 2: Decimal("25.5")}


# --- refusals ---------------------------------------------------------------------------


def test_importing_an_existing_version_number_is_refused_not_skipped(v1):
    errors = refused(lambda: import_xlsx(export_xlsx(v1)))
    assert errors == [
        "framework!B5 (version): VN-2022 v1 already exists and is never overwritten: give "
        "the imported version a new number (the next free one is 2)"
    ]
    errors = refused(lambda: import_yaml(export_yaml(v1)))
    assert errors == [
        "version 1 (number): VN-2022 v1 already exists and is never overwritten: give "
        "the imported version a new number (the next free one is 2)"
    ]


def test_xlsx_with_one_bad_threshold_saves_nothing_and_names_that_cell(v1):
    bad = as_v2(export_xlsx(v1), {("criteria", "H10"): "hai mươi"})
    errors = refused(lambda: import_xlsx(bad))
    assert errors == ['criteria!H10 (threshold): "hai mươi" is not a number']
    assert not FrameworkVersion.objects.filter(number=2).exists()


@pytest.mark.parametrize(
    "cell, value, error",
    [
        (
            ("criteria", "D10"),
            "compulsory",
            'criteria!D10 (level): "compulsory" is not one of mandatory, performance',
        ),
        (("criteria", "N10"), "  ", "criteria!N10 (title_en): a value is required"),
        (("criteria", "L10"), 0, "criteria!L10 (weight): must be greater than 0"),
        (("criteria", "J2"), 1.5, 'criteria!J2 (lookback_years): "1.5" is not a whole number'),
        (
            ("criteria", "H10"),
            20.1234567,
            "criteria!H10 (threshold): 20.1234567 has more than 6 decimal places",
        ),
        (
            ("framework", "B9"),
            "15/07/2022",
            'framework!B9 (effective_from): "15/07/2022" is not a date (YYYY-MM-DD)',
        ),
        (
            ("framework", "B8"),
            "final",
            'framework!B8 (status): "final" is not one of draft, published, retired',
        ),
        # openpyxl writes "=10+10" as a formula with no computed value (Excel would add one)
        pytest.param(
            ("criteria", "H10"),
            "=10+10",
            "criteria!H10 (threshold): holds a formula that was never computed: type the "
            "value instead",
            id="a_formula_never_computed_is_refused_not_read_as_blank",
        ),
        pytest.param(
            ("criteria", "B10"),
            "ART99",
            "criteria!B10 (category): VN35-EIP-E4: unknown category 'ART99'",
            id="unknown_category_in_a_criterion_row_names_that_row",
        ),
        pytest.param(
            ("indicators", "C10"),
            "100 * recp_aplied",
            "indicators!C10 (formula): VN35-EIP-E4: unknown code 'recp_aplied'",
            id="formula_with_an_unknown_code_names_the_indicator_and_the_token",
        ),
        pytest.param(
            ("criteria", "A11"),
            "VN35-EIP-E4",
            'criteria!A11 (code): "VN35-EIP-E4" repeats an earlier row (criteria row 10)',
            id="duplicate_criterion_code_names_both_rows",
        ),
        pytest.param(
            ("criteria", "H1"),
            "threshhold",
            'criteria!1 (header row): column "threshold" is missing',
            id="missing_column_is_refused_by_name",
        ),
    ],
)
def test_xlsx_bad_cells_are_named_with_sheet_cell_and_column(v1, cell, value, error):
    bad = as_v2(export_xlsx(v1), {cell: value})
    assert refused(lambda: import_xlsx(bad)) == [error]


def test_yes_no_criterion_with_a_threshold_is_refused_at_its_cell(v1):
    # VN35-EIP-I2 (row 3) is a yes/no criterion; the database forbids a threshold there.
    ws = load_workbook(io.BytesIO(export_xlsx(v1)))["criteria"]
    assert (ws["A3"].value, ws["E3"].value) == ("VN35-EIP-I2", "yes_no")
    bad = as_v2(export_xlsx(v1), {("criteria", "H3"): 3})
    assert refused(lambda: import_xlsx(bad)) == [
        "criteria!H3 (threshold): a yes/no rule takes no threshold"
    ]


def test_every_bad_cell_is_reported_at_once(v1):
    bad = edit_xlsx(
        export_xlsx(v1),  # version still 1: that is an error too
        {
            ("criteria", "H10"): "hai mươi",
            ("data_elements", "I8"): "không",
            ("indicators", "B10"): "province",
        },
    )
    errors = refused(lambda: import_xlsx(bad))
    assert errors == [
        'data_elements!I8 (min_value): "không" is not a number',
        'indicators!B10 (applies_to): "province" is not one of park, park_new, enterprise',
        'criteria!H10 (threshold): "hai mươi" is not a number',
        "framework!B5 (version): VN-2022 v1 already exists and is never overwritten: give "
        "the imported version a new number (the next free one is 2)",
    ]


def test_a_formula_computed_by_excel_is_read_as_its_value(v1):
    data = as_v2(export_xlsx(v1))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet5.xml").decode()
    cell = re.search(r'<c r="H10"[^>]*>.*?</c>', sheet).group(0)
    style = re.search(r' s="\d+"', cell).group(0)
    computed = f'<c r="H10"{style}><f>10+15</f><v>25</v></c>'  # as Excel saves it
    data = _rezip(
        data, members={"xl/worksheets/sheet5.xml": sheet.replace(cell, computed).encode()}
    )
    import_xlsx(data)
    assert Criterion.objects.get(code="VN35-EIP-E4", version__number=2).threshold == 25


def _rezip(data: bytes, *, add=None, replace=None, members=None) -> bytes:
    """The zip ``data`` with members ``add``ed, ``members`` replaced, and the content types
    passed through ``replace``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            content = (members or {}).get(item.filename) or src.read(item.filename)
            if replace and item.filename == "[Content_Types].xml":
                content = replace(content)
            dst.writestr(item, content)
        for name, content in (add or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "make",
    [
        lambda data: _rezip(data, add={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}),
        lambda data: _rezip(
            data,
            replace=lambda ct: ct.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            ),
        ),
    ],
    ids=["vbaProject.bin", "macroEnabled content type"],
)
def test_macro_enabled_workbook_is_refused(v1, make):
    data = make(as_v2(export_xlsx(v1)))
    [error] = refused(lambda: import_xlsx(data))
    assert "macro-enabled workbook (.xlsm)" in error


def test_a_file_that_is_not_xlsx_is_refused(v1):
    [error] = refused(lambda: import_xlsx(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"))
    assert error == "the file is not an XLSX workbook (save it from Excel as .xlsx)"
    plain_zip = io.BytesIO()
    with zipfile.ZipFile(plain_zip, "w") as z:
        z.writestr("[Content_Types].xml", b"<Types/>")
        z.writestr("notes.txt", b"hello")
    [error] = refused(lambda: import_xlsx(plain_zip.getvalue()))
    assert error.startswith("the file could not be read as an XLSX workbook")


def test_a_file_over_10_mb_is_refused(v1):
    data = b"PK\x03\x04" + b"\0" * (11 * 1024 * 1024)
    [error] = refused(lambda: import_xlsx(data))
    assert error == "the file is larger than 10 MB (11.0 MB)"


def test_text_starting_with_formula_characters_is_written_as_text_and_comes_back(v1):
    doc = version_to_dict(v1)
    doc["versions"][0]["number"] = 2
    risky = {
        "VN35-EIP-I1": '=HYPERLINK("http://example.invalid","x")',
        "VN35-EIP-I2": "+1+1",
        "VN35-EIP-I3": "-2",
        "VN35-EIP-I4": "@SUM(A1)",
    }
    for c in doc["versions"][0]["criteria"]:
        c["notes"] = risky.get(c["code"], c["notes"])
    framework_load(data=doc)
    v2 = FrameworkVersion.objects.get(framework__code="VN-2022", number=2)
    data = export_xlsx(v2)
    ws = load_workbook(io.BytesIO(data))["criteria"]
    assert ws.cell(row=1, column=21).value == "notes"
    for row, code in enumerate(risky, start=2):
        cell = ws.cell(row=row, column=21)
        assert ws.cell(row=row, column=1).value == code
        assert (cell.value, cell.data_type) == (risky[code], "s")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet5.xml")  # no formula anywhere
    import_xlsx(edit_xlsx(data, {("framework", "B5"): 3}))
    notes = dict(Criterion.objects.filter(version__number=3).values_list("code", "notes"))
    assert {code: notes[code] for code in risky} == risky


# --- YAML errors --------------------------------------------------------------------------


def test_yaml_errors_name_the_item_and_field(v1):
    doc = version_to_dict(v1)
    doc["versions"][0]["number"] = 2
    doc["versions"][0]["criteria"][8]["threshold"] = "hai mươi"
    doc["versions"][0]["criteria"][8]["threshhold"] = 20
    errors = refused(lambda: import_yaml(yaml.safe_dump(doc, allow_unicode=True)))
    assert errors == [
        "version 2, criteria #9 VN35-EIP-E4 (threshhold): unknown field",
        'version 2, criteria #9 VN35-EIP-E4 (threshold): "hai mươi" is not a number',
    ]


def test_yaml_syntax_error_is_reported_with_its_line(v1):
    errors = refused(lambda: import_yaml("code: VN-2022\nversions: [\n  - number: 2\n"))
    assert len(errors) == 1 and errors[0].startswith("not valid YAML (line ")


# --- management commands ------------------------------------------------------------------


def test_export_and_import_commands_round_trip_through_files(v1, tmp_path):
    out = io.StringIO()
    call_command(
        "export_framework",
        "VN-2022",
        version=1,
        format="xlsx",
        output=str(tmp_path / "f.xlsx"),
        stdout=out,
    )
    assert "wrote VN-2022 v1" in out.getvalue()
    call_command("export_framework", "VN-2022", output=str(tmp_path / "f.yaml"), stdout=out)
    call_command("import_framework", str(tmp_path / "f.xlsx"), as_number=2, stdout=out)
    call_command("import_framework", str(tmp_path / "f.yaml"), as_number=3, stdout=out)
    assert "imported VN-2022 v2" in out.getvalue() and "imported VN-2022 v3" in out.getvalue()
    v2 = FrameworkVersion.objects.get(framework__code="VN-2022", number=2)
    v3 = FrameworkVersion.objects.get(framework__code="VN-2022", number=3)
    assert snapshot(v2) == snapshot(v1) == snapshot(v3)


def test_import_command_prints_each_error_and_fails(v1, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(edit_xlsx(export_xlsx(v1), {("criteria", "H10"): "hai mươi"}))
    err = io.StringIO()
    with pytest.raises(CommandError, match=r"2 error\(s\) in .*bad.xlsx; nothing was saved"):
        call_command("import_framework", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        'criteria!H10 (threshold): "hai mươi" is not a number',
        "framework!B5 (version): VN-2022 v1 already exists and is never overwritten: give "
        "the imported version a new number (the next free one is 2)",
    ]
    assert FrameworkVersion.objects.filter(framework__code="VN-2022").count() == 1


def test_export_command_refuses_an_unknown_version(v1):
    with pytest.raises(CommandError, match="no version 9 of framework VN-2022"):
        call_command("export_framework", "VN-2022", version=9, format="yaml")
