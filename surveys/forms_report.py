"""The response page's inputs for a response with official report forms (Circular 05/2025
A.4, A.5, B.4, B.5): the framework's data elements (:class:`surveys.forms.ResponseForm`), the
report fields, Part I where the registry lacks a value, and the production table, read from
one POST and saved together (``surveys.services.response_save_report``), all or nothing.

Input names: data elements by their code (as without forms); a report field by
:func:`surveys.reports.field_name` (``f_A4_III_1_2_3``), with ``<name>__unit`` (the unit
typed in) and ``<name>__origin`` (``registers`` when the person took the registers' figure);
production rows as ``prod-<n>-<column>``. A value that cannot be read is refused with a
message naming the field; the page keeps what was typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError

from common.formats import active_language, format_number
from enterprises.models import InvestmentProject
from enterprises.policy import Action, can
from indicators import units
from indicators.official_forms import Item, Kind, SourceKind

from .forms import ResponseForm
from .models import Answer, Origin, ProductionLine, Response
from .reports import (
    MAX_PRODUCTION_ROWS,
    FormValues,
    ItemError,
    clean_item,
    clean_number,
    field_name,
    item_title,
    report_context,
    report_values,
    section_counts,
    store_unit_choices,
    suggestion_input,
)
from .services import ProductionRowInput, response_elements, response_save_report

_PROD = re.compile(r"^prod-(\d+)-([a-z_]+)$")
PRODUCTION_COLUMNS = ProductionLine.COLUMNS


@dataclass
class Row:
    """One field as the page renders it."""

    item: Item
    fv: object
    name: str = ""
    input: str = ""  # text, textarea, number, radio, checkboxes, select, quantity, readonly…
    value: object = ""
    unit_value: str = ""
    units: list[str] = field(default_factory=list)
    origin: str = ""
    suggestion: object = None
    suggestion_text: str = ""
    suggestion_basis: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    history: list = field(default_factory=list)
    comment: object = None


@dataclass
class SectionBlock:
    """A section with its rows, whether it is shown, and its answered count."""

    section: object
    rows: list[Row]
    answered: int
    total: int
    shown: bool = True
    table: list[dict] | None = None
    columns: dict = field(default_factory=dict)


class _DryRun(Exception):
    """Rolls back :meth:`ReportBinding._check_registry`'s savepoint."""


class ReportBinding:
    """Everything the response page posts for ``response`` as ``user``: bound to ``data``
    (a POST) or not. :meth:`is_valid` cleans every field, :meth:`save` stores them;
    :meth:`blocks` lays the page out."""

    def __init__(self, response: Response, user, data=None, *, initial=None):
        self.response = response
        self.user = user
        self.data = data
        self.language = active_language()
        self.ctx = report_context(response, user)
        self.elements = response_elements(response)
        # stored answers: shown in the active language's format, and kept as stored when a
        # field comes back untouched (never read again)
        answers = {a.data_element_id: a for a in Answer.objects.filter(response=response)}
        self.element_form = (
            ResponseForm(data, elements=self.elements, answers=answers)
            if data is not None
            else ResponseForm(
                initial=initial or {"version": response.version},
                elements=self.elements,
                answers=answers,
            )
        )
        self.errors: dict[str, list[str]] = {}  # field name → messages
        self.report: dict = {}
        self.origins: dict[str, str] = {}
        self.registry: dict[str, str] = {}
        self.production: list[ProductionRowInput] | None = None
        self.production_typed: list[dict] = []
        probe = InvestmentProject(park=response.park, enterprise=response.enterprise)
        self.registry_editable = can(
            user, Action.CHANGE, self.ctx.project if self.ctx.project.pk else probe
        )

    # ----------------------------------------------------------------------- reading a POST

    def _items(self):
        for form in self.ctx.forms:
            yield from form.items()

    def is_valid(self) -> bool:
        """Clean every field of the POST; errors by input name in :attr:`errors`."""
        assert self.data is not None
        ok = self.element_form.is_valid()
        for name, msgs in self.element_form.errors.items():
            self.errors.setdefault(name, []).extend(str(m) for m in msgs)
        for item in self._items():
            self._read(item)
        self._check_registry()
        self._read_production()
        for element in self.elements:
            origin = self.data.get(f"{element.code}__origin", "")
            if origin == Origin.REGISTERS:
                self.origins[element.code] = Origin.REGISTERS
        return ok and not self.errors

    def _read(self, item: Item) -> None:
        source = item.source
        if item.kind in (Kind.HEADING, Kind.PROJECT, Kind.FILE) or source.kind in (
            SourceKind.TABLE,
            SourceKind.ELEMENT,
            SourceKind.EVIDENCE,
        ):
            return
        if item.read_only:
            return
        name = field_name(item)
        if source.kind is SourceKind.REGISTRY:
            current = self.ctx.registry.get(source.field)
            text = (self.data.get(name) or "").strip()
            if text and current in (None, "") and self.registry_editable:
                if self.registry.get(source.field, text) != text:
                    self.errors.setdefault(name, []).append(
                        f"«{item_title(item, self.language)}»: " + str(_differs_message())
                    )
                self.registry[source.field] = text
            return
        if name not in self.data and f"{name}__present" not in self.data:
            return
        raw = (
            self.data.getlist(name)
            if item.kind in (Kind.MULTI_CHOICE, Kind.ENTERPRISES)
            else self.data.get(name)
        )
        try:
            value = clean_item(
                item,
                raw,
                language=self.language,
                unit=self.data.get(f"{name}__unit", ""),
                tenants=self.ctx.tenants,
            )
        except ItemError as exc:
            self.errors.setdefault(name, []).append(exc.message)
            return
        self.report[item.ident] = value
        if self.data.get(f"{name}__origin") == Origin.REGISTERS:
            self.origins[item.ident] = Origin.REGISTERS

    def _check_registry(self) -> None:
        """Check the Part I values typed for the registry now, with every other field (a bad
        date of Part I is listed with the rest, not only once the rest is right): the
        registry's own checks (``enterprises.services.project_update``) run in a savepoint
        rolled back, so nothing is kept; :meth:`save` runs them again for real."""
        from django.core.exceptions import PermissionDenied
        from django.db import transaction

        from enterprises.services import project_update

        if not self.registry:
            return
        try:
            with transaction.atomic():
                project_update(
                    user=self.user,
                    park=self.response.park,
                    enterprise=self.response.enterprise,
                    values=dict(self.registry),
                    only_blank=True,
                )
                raise _DryRun
        except _DryRun:
            pass
        except PermissionDenied:
            pass  # save() refuses it the same way
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            for name, messages in self._registry_errors(exc).items():
                self.errors.setdefault(name, []).extend(messages)

    def _registry_errors(self, exc: ValidationError) -> dict[str, list[str]]:
        """``exc`` (keyed by registry field) keyed by the input names of the fields at fault,
        each message led by the field's title."""
        mapped: dict[str, list[str]] = {}
        for field_key, messages in exc.message_dict.items():
            items = [
                i
                for i in self._items()
                if i.source.kind is SourceKind.REGISTRY and i.source.field == field_key
            ]
            name = field_name(items[0]) if items else field_key
            title = item_title(items[0], self.language) if items else field_key
            mapped.setdefault(name, []).extend(f"«{title}»: {m}" for m in messages)
        return mapped

    def _read_production(self) -> None:
        has_table = any(s.table for f in self.ctx.forms for s in f.sections())
        if not has_table or "prod-present" not in self.data:
            return
        rows: dict[int, dict] = {}
        for key in self.data:
            match = _PROD.match(key)
            if match and match.group(2) in PRODUCTION_COLUMNS:
                rows.setdefault(int(match.group(1)), {})[match.group(2)] = (
                    self.data.get(key) or ""
                ).strip()
        cleaned = []
        self.production_typed = []
        for index in sorted(rows):
            typed = rows[index]
            if not any(typed.get(c) for c in PRODUCTION_COLUMNS if c != "energy_carrier"):
                continue
            self.production_typed.append(typed)
            row, problems = clean_production_row(typed, language=self.language)
            for column, message in problems:
                self.errors.setdefault(f"prod-{index}-{column}", []).append(
                    _row_message(len(self.production_typed), column, message)
                )
            if not problems:
                cleaned.append(row)
        if len(self.production_typed) > MAX_PRODUCTION_ROWS:
            self.errors.setdefault("prod-present", []).append(str(_too_many_rows_message()))
        self.production = cleaned

    # ------------------------------------------------------------------------------- saving

    def save(self, *, expected_version: int) -> Response:
        """Store the cleaned POST (after :meth:`is_valid`); raises what
        ``response_save_report`` raises, a registry problem as a ``ValidationError`` keyed by
        the input names of the fields at fault."""
        try:
            return response_save_report(
                response=self.response,
                user=self.user,
                expected_version=expected_version,
                answers=self.element_form.cleaned_values(),
                report=self.report,
                origins=self.origins,
                registry=self.registry,
                production=self.production,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                raise
            raise ValidationError(self._registry_errors(exc)) from None

    # ------------------------------------------------------------------------------ layout

    def blocks(self, *, editable: bool, history=None, comments=None) -> list[dict]:
        """The page's forms → parts → sections → rows, with answered counts per section and
        part, each row carrying its input, value, suggestion and errors."""
        values = report_values(self.response, self.user, context=self.ctx)
        out = []
        for fv in values:
            counts = section_counts(fv)
            parts = []
            for part in fv.form.parts:
                sections = []
                for section in part.sections:
                    rows = [
                        self._row(fv, item, editable, history, comments) for item in section.items
                    ]
                    answered, total = counts[section.key]
                    shown = any(r.fv.shown for r in rows) if rows else True
                    table = self._table_rows(fv) if section.table else None
                    columns = {i.source.field: i for i in section.items} if section.table else {}
                    sections.append(
                        SectionBlock(
                            section,
                            rows,
                            answered,
                            total,
                            shown=shown,
                            table=table,
                            columns=columns,
                        )
                    )
                parts.append(
                    {
                        "part": part,
                        "sections": sections,
                        "answered": sum(s.answered for s in sections if s.shown),
                        "total": sum(s.total for s in sections if s.shown),
                        "has_registry": any(
                            i.source.kind is SourceKind.REGISTRY
                            for s in part.sections
                            for i in s.items
                        ),
                        "has_errors": any(r.errors for s in sections for r in s.rows)
                        or any(k.startswith("prod-") for k in self.errors),
                    }
                )
            out.append({"form": fv.form, "values": fv, "parts": parts})
        return out

    def _row(self, fv: FormValues, item: Item, editable: bool, history, comments) -> Row:
        f = fv.by_key[item.key]
        row = Row(item=item, fv=f)
        source = item.source
        if item.kind is Kind.HEADING:
            row.input = "heading"
            return row
        if item.kind is Kind.PROJECT:
            row.input = "readonly"
            row.value = f.text
            return row
        if source.kind is SourceKind.EVIDENCE:
            row.input = "files"
            return row
        if source.kind is SourceKind.ELEMENT:
            bound = self.element_form[source.element]
            row.name = source.element
            row.value = bound.value() if bound.value() is not None else ""
            row.errors = self.errors.get(row.name, [])
            row.history = (
                (history or {}).get(self.ctx.elements[source.element].pk, [])
                if source.element in self.ctx.elements
                else []
            )
            row.comment = (
                (comments or {}).get(self.ctx.elements[source.element].pk)
                if source.element in self.ctx.elements
                else None
            )
            row.input = (
                "radio" if item.kind is Kind.YES_NO else "number" if item.kind.is_number else "text"
            )
            unit_field = f"{source.element}__unit"
            if unit_field in self.element_form.fields:
                row.units = [u for u, _l in self.element_form.fields[unit_field].choices]
                row.unit_value = self.element_form[unit_field].value() or ""
            row.origin = self._origin(row.name, f.origin)
        elif source.kind is SourceKind.REGISTRY:
            row.name = field_name(item)
            if f.hidden or not f.is_blank or not (editable and self.registry_editable):
                row.input = "readonly"
                row.value = f.text
                return row
            row.input = "select" if item.kind is Kind.CHOICE else "text"
            if item.kind is Kind.DATE:
                row.input = "date"
            model_field = InvestmentProject._meta.get_field(source.field)
            row.choices = [(str(k), str(v)) for k, v in model_field.choices or ()]
            row.value = self.data.get(row.name, "") if self.data is not None else ""
            row.errors = self.errors.get(row.name, [])
            return row
        else:
            row.name = field_name(item)
            row.errors = self.errors.get(row.name, [])
            row.value = self._typed_value(item, f)
            row.input = {
                Kind.TEXT: "text",
                Kind.TEXTAREA: "textarea",
                Kind.YES_NO: "radio",
                Kind.CHOICE: "select",
                Kind.MULTI_CHOICE: "checkboxes",
                Kind.ENTERPRISES: "checkboxes",
                Kind.DATE: "date",
                Kind.QUANTITY: "quantity",
            }.get(item.kind, "number")
            if item.read_only:
                row.input = "calculated"
            row.units = store_unit_choices(item)
            row.unit_value = (
                self.data.get(f"{row.name}__unit", "")
                if self.data is not None
                else f.unit
                if item.kind is Kind.QUANTITY
                else ""
            )
            if item.kind is Kind.ENTERPRISES:
                row.choices = sorted(self.ctx.tenants.items(), key=lambda kv: kv[1])
            else:
                row.choices = [(c.value, c.label(self.language)) for c in item.choices]
            row.origin = self._origin(row.name, f.origin)
        if f.suggestion is not None and editable:
            row.suggestion = suggestion_input(item, f.suggestion)
            row.suggestion_text = _suggestion_text(item, f.suggestion, self.ctx.tenants)
            row.suggestion_basis = f.suggestion.basis
        return row

    def _origin(self, name: str, stored: str) -> str:
        if self.data is not None:
            return self.data.get(f"{name}__origin", "")
        return stored if stored == Origin.REGISTERS else ""

    def _typed_value(self, item: Item, f) -> object:
        name = field_name(item)
        if self.data is not None and not item.read_only:
            if item.kind in (Kind.MULTI_CHOICE, Kind.ENTERPRISES):
                return self.data.getlist(name)
            return self.data.get(name, "")
        value = f.value
        if value is None:
            return [] if item.kind in (Kind.MULTI_CHOICE, Kind.ENTERPRISES) else ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, Decimal):
            return format_number(value) if not item.read_only else f.text
        if isinstance(value, tuple):
            return list(value)
        if hasattr(value, "strftime"):
            return value.strftime("%d/%m/%Y")
        return value

    def _table_rows(self, fv: FormValues) -> list[dict]:
        if (
            self.data is not None
            and self.production_typed is not None
            and "prod-present" in self.data
        ):
            rows = self.production_typed
        else:
            rows = [
                {
                    "product": r.product,
                    "unit": r.unit,
                    "design_capacity": format_number(r.design_capacity),
                    "actual_output": format_number(r.actual_output),
                    "energy_per_unit": format_number(r.energy_per_unit),
                    "energy_carrier": r.energy_carrier,
                    "revenue_million_vnd": format_number(r.revenue_million_vnd),
                }
                for r in fv.rows
            ]
        return [
            dict(
                row,
                index=i,
                errors={c: self.errors.get(f"prod-{i}-{c}", []) for c in PRODUCTION_COLUMNS},
            )
            for i, row in enumerate(rows)
        ]

    def error_list(self) -> list[tuple[str, str]]:
        """``[(anchor, message)]`` of every error, in the page's order (a production row's
        errors where the table stands)."""
        anchors = {}
        position: dict[str, int] = {}
        table_at = None
        for index, item in enumerate(self._items()):
            if item.source.kind is SourceKind.ELEMENT:
                anchors[item.source.element] = item.anchor
            else:
                anchors[field_name(item)] = item.anchor
            position.setdefault(item.anchor, index)
            if item.source.kind is SourceKind.TABLE and table_at is None:
                table_at = index
        out = []
        for name, messages in self.errors.items():
            if name in anchors:
                anchor = anchors[name]
                at = position[anchor]
            elif name == "prod-present":
                anchor, at = "production", table_at
            elif name.startswith("prod-"):
                anchor, at = f"id_{name}", table_at  # the table's cell itself
            else:
                anchor, at = f"field-{name}", None
            for m in messages:
                out.append((len(position) if at is None else at, anchor, m))
        return [(anchor, m) for _at, anchor, m in sorted(out, key=lambda e: e[0])]


def _differs_message() -> str:
    from django.utils.translation import gettext as _

    return _("two different values were given for the same registry field.")


def _too_many_rows_message() -> str:
    from django.utils.translation import gettext as _

    return _("At most %(n)s products.") % {"n": MAX_PRODUCTION_ROWS}


def _row_message(position: int, column: str, message: str) -> str:
    from django.utils.translation import gettext as _

    label = str(ProductionLine._meta.get_field(column).verbose_name)
    return _("Product %(n)s, «%(column)s»: %(message)s") % {
        "n": position,
        "column": label,
        "message": message,
    }


def clean_production_row(
    typed: dict, *, language: str
) -> tuple[ProductionRowInput, list[tuple[str, str]]]:
    """One production row from its typed cells (``PRODUCTION_COLUMNS``): the product named,
    the unit one of the form's four, the carrier electricity, oil or gas (electricity when
    blank), numbers ≥ 0 with at most 15 digits before the decimal mark and 5 after it
    (revenue in million VND). Returns the row and ``[(column, message)]`` problems; a blank
    cell stays blank (the completeness check asks for it at submit)."""
    from django.utils.translation import gettext as _

    from indicators.official_forms import official_form

    problems = []
    product = (typed.get("product") or "").strip()
    if not product:
        problems.append(("product", _("name the product.")))
    unit = (typed.get("unit") or "").strip()
    if unit and unit not in ProductionLine.Unit.values:
        problems.append(
            (
                "unit",
                _("choose one of: %(units)s.") % {"units": ", ".join(ProductionLine.Unit.values)},
            )
        )
    carrier = (typed.get("energy_carrier") or "").strip() or ProductionLine.Carrier.ELECTRICITY
    if carrier not in ProductionLine.Carrier.values:
        problems.append(("energy_carrier", _("choose electricity, oil or gas.")))
    numbers = {}
    form = official_form("B.4")
    column_items = {i.source.field: i for i in form.items() if i.source.kind is SourceKind.TABLE}
    for column, item_column in (
        ("design_capacity", "design_capacity"),
        ("actual_output", "actual_output"),
        ("energy_per_unit", "energy_per_unit"),
        ("revenue_million_vnd", "revenue"),
    ):
        text = typed.get(column) or ""
        try:
            numbers[column] = clean_number(
                column_items[item_column], text, language=language
            ).number
        except ItemError as exc:
            message = exc.message.split("»: ", 1)[-1]
            problems.append((column, message))
    row = ProductionRowInput(
        product=product,
        unit=unit,
        energy_carrier=carrier,
        **{k: v for k, v in numbers.items()},
    )
    return row, problems


def _suggestion_text(item: Item, rollup, tenants) -> str:
    from .reports import value_text

    value = rollup.value
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    text = value_text(item, value, tenants=tenants, unit=rollup.unit)
    if item.kind.is_number and item.kind is not Kind.QUANTITY and item.unit:
        text = f"{text} {units.unit_label(item.unit, active_language())}"
    return text
