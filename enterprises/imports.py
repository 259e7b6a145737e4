"""XLSX import (and blank template) of a park's tenants, with the rules of every import
(:mod:`common.xlsx`): a file that is not a plain .xlsx workbook, is larger than 10 MB or holds
macros is refused as a whole; otherwise every row is checked and every problem reported with
its sheet, row and column; only a file without any problem is saved, in one transaction (all
or nothing).

Layout: one sheet (``Doanh nghiệp``/``Tenants``, else the first); row 1 holds the column
headers (the code, e.g. ``tax_code``, or the Vietnamese or English label); one tenant a row.
Tax codes are checked with python-stdnum (``stdnum.vn.mst``, spaces removed); a code may
appear once in a file; a code registered in another park is refused (a move is a board's
edit); a branch (``NNNNNNNNNN-NNN``) needs its head office registered or in the same file,
and is recorded as its branch. A row whose tax code is already a tenant of the park updates
it, only where a value differs: the same file imported twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import openpyxl
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from common.parsing import ParseError, parse_number
from common.xlsx import CellError, cell_error, file_check, fold_header, open_workbook, read_headers

from .models import Enterprise, Park, Sector, normalise_tax_code
from .policy import Action, can

SHEETS = ("Doanh nghiệp", "Tenants")

#: (code, Vietnamese label, English label, required)
COLUMNS = [
    ("tax_code", "Mã số thuế", "Tax code", True),
    ("name", "Tên doanh nghiệp", "Name", True),
    ("sector_code", "Mã ngành VSIC", "VSIC code", False),
    ("sector_edition", "Phiên bản VSIC", "VSIC edition", False),
    ("employees", "Số lao động", "Employees", False),
    ("contact_name", "Người liên hệ", "Contact person", False),
    ("contact_email", "Email liên hệ", "Contact e-mail", False),
    ("contact_phone", "Điện thoại liên hệ", "Contact phone", False),
]
#: the sector codes the help sheet gives as examples (a VSIC2018 section and division the
#: registry keeps, ``enterprises/data/vsic-2018.csv``)
SECTOR_EXAMPLES = ("C", "24")
#: the model fields a row sets (those whose column is in the file)
FIELDS = ["name", "sector", "employees", "contact_name", "contact_email", "contact_phone"]


@dataclass
class TenantImport:
    """Outcome of :func:`tenants_import`: ``errors`` (all of them; nothing saved when any),
    ``created``, ``updated`` and ``unchanged`` counts, ``rows_read`` non-blank data rows."""

    errors: list[CellError] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def tenants_template(*, file) -> None:
    """Write a blank tenants workbook to ``file``: the data sheet's headers and a help sheet
    (``Hướng dẫn``/``Help``) naming each column as the data sheet does, with the values it
    accepts, all in the active language."""
    wb = openpyxl.Workbook()
    ws = wb.active
    english = (get_language() or "vi").startswith("en")
    ws.title = SHEETS[1] if english else SHEETS[0]
    labels = {code: en if english else vi for code, vi, en, _r in COLUMNS}
    ws.append(list(labels.values()))
    for i, _col in enumerate(COLUMNS, start=1):
        ws.cell(row=1, column=i).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(i)].width = 24
    accepted = {
        "tax_code": _("10 digits, or 13 for a branch (e.g. 0100109106-001); spaces are removed."),
        "name": _("The enterprise's name; required."),
        "sector_code": _(
            "A section letter (e.g. %(section)s) or a 2-digit division (e.g. %(division)s) of "
            "the VSIC edition of the next column: the registry keeps these two levels, not the "
            "4- or 5-digit classes; may be blank."
        )
        % {"section": SECTOR_EXAMPLES[0], "division": SECTOR_EXAMPLES[1]},
        "sector_edition": _("%(editions)s; VSIC2018 when blank.")
        % {"editions": ", ".join(Sector.Edition.values)},
        "employees": _("A whole number ≥ 0; may be blank."),
        "contact_name": _("May be blank."),
        "contact_email": _("An e-mail address; may be blank."),
        "contact_phone": _("May be blank."),
    }
    help_ws = wb.create_sheet(_("Help (tenant import)"))
    help_ws.append([_("Column"), _("Accepted values")])
    for i in (1, 2):
        help_ws.cell(row=1, column=i).font = Font(bold=True)
    help_ws.column_dimensions["A"].width = 24
    help_ws.column_dimensions["B"].width = 80
    for code, label in labels.items():
        help_ws.append([label, accepted[code]])
    wb.save(file)


@transaction.atomic
def tenants_import(*, user, park: Park, file) -> TenantImport:
    """Check and, when the whole file is clean, save the tenants of ``park`` it lists (all or
    nothing). Raises ``PermissionDenied`` unless the user keeps the park's tenants and
    :class:`common.xlsx.FileRefused` for a file refused as a whole; otherwise returns a
    :class:`TenantImport` whose ``errors`` name sheet, row and column."""
    if not can(user, Action.MANAGE, Enterprise(park=park)):
        raise PermissionDenied(_("You may not keep the tenants of this park."))
    file_check(file)
    wb = open_workbook(file)
    names = {fold_header(n) for n in SHEETS}
    ws = next((w for w in wb.worksheets if fold_header(w.title) in names), wb.worksheets[0])
    sheet = ws.title
    rows = list(ws.iter_rows(values_only=True))
    wb.close()
    outcome = TenantImport()

    def err(row, col_index, header, value, reason):
        outcome.errors.append(cell_error(sheet, row, col_index, header, value, reason))

    columns = read_headers(rows, COLUMNS, sheet=sheet, errors=outcome.errors)
    if columns is None:
        return outcome
    headers = {code: rows[0][i] for code, i in columns.items()}
    language = "en" if (get_language() or "vi").startswith("en") else "vi"
    sectors = {(s.edition, s.code): s for s in Sector.objects.all()}

    # first pass: tax codes (every head office of the file is known before branches)
    parsed: list[tuple[int, dict, str | None]] = []
    first_row: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        cells = {code: (row[i] if i < len(row) else None) for code, i in columns.items()}
        if all(v is None or str(v).strip() == "" for v in cells.values()):
            continue
        outcome.rows_read += 1
        raw = cells.get("tax_code")
        code = None
        try:
            code = normalise_tax_code(str(raw if raw is not None else ""))
        except ValidationError as exc:
            err(n, columns["tax_code"], headers["tax_code"], raw, " ".join(exc.messages))
        if code is not None:
            if code in first_row:
                err(
                    n,
                    columns["tax_code"],
                    headers["tax_code"],
                    raw,
                    _("Tax code %(code)s is already in row %(row)s of this file.")
                    % {"code": code, "row": first_row[code]},
                )
                code = None
            else:
                first_row[code] = n
        parsed.append((n, cells, code))

    registered = {
        e.tax_code: e
        for e in Enterprise.objects.filter(
            tax_code__in=[c[:10] for c in first_row] + list(first_row)
        )
    }
    plans: list[tuple[str, Enterprise | None, dict]] = []
    for n, cells, code in parsed:
        values: dict = {}
        name = str(cells.get("name") or "").strip()
        if not name:
            err(n, columns["name"], headers["name"], cells.get("name"), _("Give the name."))
        values["name"] = name[:300]
        if "sector_code" in columns:
            raw_code = str(cells.get("sector_code") or "").strip()
            raw_edition = str(cells.get("sector_edition") or "").strip().upper().replace(" ", "")
            edition = raw_edition or Sector.Edition.VSIC2018
            if raw_edition and raw_edition not in Sector.Edition.values:
                err(
                    n,
                    columns["sector_edition"],
                    headers["sector_edition"],
                    cells.get("sector_edition"),
                    _("Write VSIC2018 or VSIC2025."),
                )
                values["sector"] = None
            elif raw_code:
                value = cells["sector_code"]
                if isinstance(value, int | float) and not isinstance(value, bool):
                    raw_code = str(int(value))  # Excel dropped a leading zero: 111 is 0111
                sector = sectors.get((edition, raw_code)) or sectors.get((edition, "0" + raw_code))
                division = sectors.get((edition, raw_code[:2])) if len(raw_code) > 2 else None
                if sector is None and division is not None and raw_code.isdigit():
                    err(
                        n,
                        columns["sector_code"],
                        headers["sector_code"],
                        cells.get("sector_code"),
                        _(
                            "%(code)s is finer than a division of %(edition)s; the registry keeps "
                            "the 2-digit divisions: write %(division)s."
                        )
                        % {"code": raw_code, "edition": edition, "division": division.code},
                    )
                elif sector is None:
                    err(
                        n,
                        columns["sector_code"],
                        headers["sector_code"],
                        cells.get("sector_code"),
                        _("%(code)s is not a code of %(edition)s.")
                        % {"code": raw_code, "edition": edition},
                    )
                values["sector"] = sector
            else:
                values["sector"] = None
        if "employees" in columns:
            raw_emp = cells.get("employees")
            try:
                number = (
                    parse_number(raw_emp, language=language) if raw_emp not in (None, "") else None
                )
                if number is not None and (number < 0 or number != number.to_integral_value()):
                    raise ParseError("invalid_number", raw_emp, "")
                values["employees"] = int(number) if number is not None else None
            except ParseError:
                err(
                    n,
                    columns["employees"],
                    headers["employees"],
                    raw_emp,
                    _("Give the number of employees as a whole number."),
                )
        for text_field, limit in (("contact_name", 200), ("contact_phone", 40)):
            if text_field in columns:
                values[text_field] = str(cells.get(text_field) or "").strip()[:limit]
        if "contact_email" in columns:
            email = str(cells.get("contact_email") or "").strip()
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    err(
                        n,
                        columns["contact_email"],
                        headers["contact_email"],
                        email,
                        _("Enter a valid e-mail address."),
                    )
            values["contact_email"] = email
        if code is None:
            continue
        existing = registered.get(code)
        if existing is not None and existing.park_id != park.pk:
            err(
                n,
                columns["tax_code"],
                headers["tax_code"],
                cells.get("tax_code"),
                _(
                    "Tax code %(code)s is registered in another park; a move is made by the "
                    "board on the enterprise's page."
                )
                % {"code": code},
            )
            continue
        if "-" in code and code[:10] not in registered and code[:10] not in first_row:
            err(
                n,
                columns["tax_code"],
                headers["tax_code"],
                cells.get("tax_code"),
                _(
                    "%(code)s is a branch of %(head)s, which is not registered: add the head "
                    "office first (or above it in the same file)."
                )
                % {"code": code, "head": code[:10]},
            )
            continue
        plans.append((code, existing, values))
    if outcome.errors:
        return outcome

    # heads first, then branches (they point at their head office)
    saved: dict[str, Enterprise] = dict(registered)
    for code, existing, values in sorted(plans, key=lambda p: "-" in p[0]):
        parent = saved.get(code[:10]) if "-" in code else None
        values = values | {"parent": parent}
        if existing is None:
            enterprise = Enterprise(tax_code=code, park=park, **values)
            enterprise._history_user = user
            enterprise.full_clean()
            enterprise.save()
            outcome.created += 1
        else:
            enterprise = existing
            changed = [
                k
                for k, v in values.items()
                if getattr(enterprise, k + "_id" if k in ("sector", "parent") else k)
                != (v.pk if hasattr(v, "pk") else v)
            ]
            if changed:
                for k in changed:
                    setattr(enterprise, k, values[k])
                enterprise._history_user = user
                enterprise.full_clean()
                enterprise.save()
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        saved[code] = enterprise
    return outcome
