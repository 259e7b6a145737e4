"""The official documents of a response: one per form it files (Circular 05/2025/TT-BKHĐT forms
A.4, A.5 of a park; B.4, B.5 of an enterprise), as DOCX and PDF, laid out as the forms are
(``docs/documents.md``).

One builder, two writers. :func:`report_documents` reads a response once
(:func:`surveys.reports.report_context`) and returns, per form, a :class:`Document`: a neutral
model holding every string the page shows, already in the document's language (the national
motto, the form number, the title, the report code, the respondent, the period, the workflow
stamps, the parts and numbered fields in the form definition's order with units as the form
writes them and values as :func:`surveys.reports.value_text` writes them, the repeating tables,
the signature block, the draft mark). :func:`document_docx` (python-docx) and
:func:`document_pdf` (WeasyPrint, from ``templates/surveys/document.html``) only place those
strings; neither decides what a document says.

Vietnamese is the official language; English (``language="en"``) is a reading aid. A response
not yet submitted or approved (draft, returned) is marked "BẢN NHÁP / DRAFT" on every page.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from common.formats import format_amount
from enterprises.policy import Action, restrict
from indicators import units
from indicators.official_forms import Kind

from .codes import report_code
from .models import ProductionLine, Response, Transition
from .periods import response_due_date
from .reports import FormValues, report_context, report_values

#: the formats a document is written in
FORMATS = ("docx", "pdf")
#: content types of the formats
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "zip": "application/zip",
}
#: the draft mark, in both languages whatever the document's language (it must be read by all)
DRAFT_MARK = "BẢN NHÁP / DRAFT"


class DocumentUnavailable(RuntimeError):
    """A document cannot be written on this server (WeasyPrint or pango missing)."""


@dataclass(frozen=True)
class Line:
    """One numbered field of a section: its ``number`` as the form writes it, ``label``,
    ``unit`` as the form writes it (``""`` when none), ``value`` as text (``""`` when blank);
    ``heading`` for a label of the form that holds no value."""

    number: str
    label: str
    unit: str = ""
    value: str = ""
    heading: bool = False


@dataclass(frozen=True)
class Table:
    """A repeating table of the form (B.4 Part II, production capacity): column headers (number
    and label) and one row of texts per product."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class DocSection:
    """A section of a part: ``number`` and ``title``, its fields (``lines``) or, for a
    repeating table, ``table``."""

    number: str
    title: str
    lines: tuple[Line, ...] = ()
    table: Table | None = None

    @property
    def has_units(self) -> bool:
        """True when a field of the section has a unit (the unit column is then shown)."""
        return any(line.unit for line in self.lines)


@dataclass(frozen=True)
class DocPart:
    """A part of the form (``I``, ``II`` …; A.5 and B.5 have one unnumbered part)."""

    number: str
    title: str
    sections: tuple[DocSection, ...]


@dataclass(frozen=True)
class Document:
    """One official document: one form of one response, every string in ``language``.

    ``code`` the report code (``EZ_A4_17``, ``surveys.codes``), ``form_label`` ``Mẫu A.4``,
    ``facts`` ``(label, text)`` pairs of the header (code, respondent, park, period, status,
    stamps), ``stamps`` the workflow stamps repeated in the footer, ``columns`` the headers of
    a section's table (number, field, unit, value), ``signature`` the lines of the signature
    block (place and date, role, instruction), ``draft`` whether the draft mark is printed."""

    code: str
    language: str
    draft: bool
    country: str
    motto: str
    form_label: str
    title: str
    instrument: str
    respondent: str
    number_line: str
    period_line: str
    facts: tuple[tuple[str, str], ...]
    stamps: str
    parts: tuple[DocPart, ...]
    columns: tuple[str, str, str, str]
    signature: tuple[str, ...]
    page_label: str
    draft_mark: str = DRAFT_MARK

    def filename(self, fmt: str) -> str:
        """``EZ_A4_17.docx``: the code and the format's extension."""
        return f"{self.code}.{fmt}"


# ------------------------------------------------------------------------------- building


def _when(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _approval(response: Response) -> Transition | None:
    if response.status != Response.Status.APPROVED:
        return None
    return (
        Transition.objects.filter(response=response, to_status=Response.Status.APPROVED)
        .select_related("by")
        .order_by("-at", "-pk")
        .first()
    )


def _respondent(response: Response, language: str) -> str:
    park = response.park.name_en if language == "en" else response.park.name_vi
    return response.enterprise.name if response.enterprise_id else park


def _production_cell(item, row: ProductionLine) -> str:
    column = item.source.field
    name = {"revenue": "revenue_million_vnd"}.get(column, column)
    value = getattr(row, name, None)
    if value is None or value == "":
        return ""
    if item.kind is Kind.CHOICE:
        return item.choice_label(str(value), translation.get_language() or "vi")
    if item.carrier_column:
        carrier = getattr(row, item.carrier_column, "")
        label = dict(ProductionLine.Carrier.choices).get(carrier, carrier)
        return f"{format_amount(value, item.decimals)} ({label})" if carrier else ""
    if item.kind.is_number:
        return format_amount(value, item.decimals)
    return str(value)


def _section(section, fv: FormValues, language: str) -> DocSection:
    title = section.title(language)
    if section.table:
        columns = tuple(f"{i.no} {i.label(language)}".strip() for i in section.items)
        rows = tuple(
            tuple(_production_cell(i, row) for i in section.items)
            for row in sorted(fv.rows, key=lambda r: r.position)
        )
        return DocSection(section.number, title, table=Table(columns, rows))
    lines = []
    for item in section.items:
        f = fv.by_key[item.key]
        label = item.label(language)
        if item.code:
            label = f"{label} ({item.code})"
        if item.kind is Kind.HEADING:
            lines.append(Line(item.no, label, heading=True))
            continue
        value = f.text if f.shown else _("(not applicable)")
        lines.append(Line(item.no, label, units.unit_label(item.unit, language), value))
    return DocSection(section.number, title, lines=tuple(lines))


def _document(response: Response, fv: FormValues, language: str) -> Document:
    form = fv.form
    code = report_code(response, form.code)
    draft = response.status in Response.EDITABLE_STATUSES
    respondent = _respondent(response, language)
    park = response.park.name_en if language == "en" else response.park.name_vi
    submitted = (
        _("%(when)s by %(who)s")
        % {"when": _when(response.submitted_at), "who": _who(response.submitted_by)}
        if response.submitted_at and response.status != Response.Status.RETURNED
        else _("not submitted")
    )
    approval = _approval(response)
    approved = (
        _("%(when)s by %(who)s") % {"when": _when(approval.at), "who": _who(approval.by)}
        if approval is not None
        else _("not approved")
    )
    period = response.campaign.period
    period_line = _("Reporting year %(year)s (1 January – 31 December %(year)s)") % {"year": period}
    facts = [(_("Report code"), code), (_("Respondent"), respondent)]
    if response.enterprise_id:
        facts.append((_("Tax code"), response.enterprise.tax_code))
        facts.append((_("Park"), park))
    facts += [
        (_("Province"), response.park.province.name_vi),
        (_("Campaign"), response.campaign.name),
        (_("Reporting period"), period_line),
        (_("Due date"), response_due_date(response).strftime("%d/%m/%Y")),
        (_("Status"), str(Response.Status(response.status).label)),
        (_("Submitted"), submitted),
        (_("Approved"), approved),
    ]
    stamps = " · ".join(
        [code, _("Submitted: %(text)s") % {"text": submitted}]
        + ([_("Approved: %(text)s") % {"text": approved}] if approval is not None else [])
    )
    signed = approval.at if approval is not None else response.submitted_at
    place = response.park.province.name_vi
    if signed and not draft:
        day = timezone.localtime(signed)
        date_line = _("%(place)s, on %(day)s/%(month)s/%(year)s") % {
            "place": place,
            "day": f"{day.day:02d}",
            "month": f"{day.month:02d}",
            "year": day.year,
        }
    else:
        date_line = _("%(place)s, on %(day)s/%(month)s/%(year)s") % {
            "place": place,
            "day": "…",
            "month": "…",
            "year": "……",
        }
    role = _("THE ENTERPRISE'S LEGAL REPRESENTATIVE") if response.enterprise_id else None
    role = role or _("THE INFRASTRUCTURE DEVELOPER'S LEGAL REPRESENTATIVE")
    parts = tuple(
        DocPart(
            part.number,
            part.title(language),
            tuple(_section(s, fv, language) for s in part.sections),
        )
        for part in form.parts
    )
    return Document(
        code=code,
        language=language,
        draft=draft,
        country=_("SOCIALIST REPUBLIC OF VIET NAM"),
        motto=_("Independence - Freedom - Happiness"),
        form_label=_("Form %(form)s") % {"form": form.code},
        title=form.title(language).upper(),
        instrument=form.instrument(language),
        respondent=respondent.upper(),
        number_line=_("No.: %(code)s") % {"code": code},
        period_line=period_line,
        facts=tuple(facts),
        stamps=stamps,
        parts=parts,
        columns=(
            _("No."),
            pgettext("official document column", "Field"),
            pgettext("official document column", "Unit"),
            _("Value"),
        ),
        signature=(date_line, role, _("(Signature, full name and seal)")),
        page_label=_("Page"),
    )


def report_documents(
    response: Response, user, *, language: str = "vi", forms: list[str] | None = None
) -> list[Document]:
    """The documents of ``response``, one per form it files (``forms``: only those codes,
    ``"A.4"`` or ``"A4"``), in filing order, in ``language`` (``vi`` | ``en``), with the values
    ``user`` may see (personal data of Part I withheld otherwise, ``enterprises.selectors``).
    Reads the response once; the caller has checked that ``user`` may view it."""
    language = "en" if language.startswith("en") else "vi"
    wanted = {f.replace(".", "").upper() for f in forms} if forms else None
    with translation.override(language):
        ctx = report_context(response, user)
        return [
            _document(response, fv, language)
            for fv in report_values(response, user, context=ctx)
            if wanted is None or fv.form.code.replace(".", "") in wanted
        ]


# -------------------------------------------------------------------------------- writing


def css_string(text: str) -> str:
    """``text`` for a CSS string (the page's margin boxes): every character but letters, digits
    and spaces written as a CSS escape (``\\2f `` for ``/``), so no text can end the string."""
    return "".join(c if c.isalnum() or c == " " else f"\\{ord(c):x} " for c in text)


def document_pdf(doc: Document) -> bytes:
    """The document as PDF (A4 pages, numbered), from ``templates/surveys/document.html``.
    Raises :class:`DocumentUnavailable` when WeasyPrint or pango is missing."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: pango libraries not found
        raise DocumentUnavailable(str(exc)) from exc
    with translation.override(doc.language):
        css = {
            name: css_string(getattr(doc, name))
            for name in ("form_label", "draft_mark", "stamps", "page_label")
        }
        html = render_to_string("surveys/document.html", {"doc": doc, "css": css})
    try:
        return weasyprint.HTML(string=html).write_pdf()
    except OSError as exc:  # fonts or libraries missing at render time
        raise DocumentUnavailable(str(exc)[:200]) from exc


def _field_code(run, instruction: str) -> None:
    """A Word field (``PAGE``, ``NUMPAGES``) in ``run``: Word and LibreOffice compute it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, instruction), ("separate", None), ("end", None)):
        if kind is None:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


_WATERMARK = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:pict><v:shape id="DraftMark" o:spid="_x0000_s1025" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:470pt;height:80pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" fillcolor="#d9d9d9" stroked="f">'
    '<v:fill opacity=".5"/><v:textpath style="font-family:&quot;Times New Roman&quot;;'
    'font-size:1pt" string="{text}"/></v:shape></w:pict></w:r>'
)


def _no_borders(table) -> None:
    from docx.oxml import parse_xml

    borders = parse_xml(
        '<w:tblBorders xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + "".join(
            f'<w:{side} w:val="nil"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        + "</w:tblBorders>"
    )
    table._tbl.tblPr.append(borders)


def document_docx(doc: Document) -> bytes:
    """The document as DOCX (A4, Times New Roman 13 pt as Vietnamese administrative documents
    are written): the form number and, on a draft, the draft mark in every page's header
    (with a grey diagonal watermark), the motto block, the title, the facts, every part and
    section as a table (number, field, unit, value), the signature block, and in every page's
    footer the stamps and ``Trang n/m``."""
    from docx import Document as Docx
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Cm, Pt, RGBColor

    out = Docx()
    style = out.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    style.paragraph_format.space_after = Pt(2)
    section = out.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    out.core_properties.title = f"{doc.code} {doc.title}"
    out.core_properties.language = doc.language

    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    header.add_run(doc.form_label).bold = True
    if doc.draft:
        mark = section.header.add_paragraph()
        mark.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = mark.add_run(doc.draft_mark)
        run.bold, run.font.size = True, Pt(14)
        run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
        mark._p.append(parse_xml(_WATERMARK.format(text=doc.draft_mark)))
    footer = section.footer.paragraphs[0]
    footer.add_run(doc.stamps).font.size = Pt(9)
    pages = section.footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for text, field in ((f"{doc.page_label} ", "PAGE"), ("/", "NUMPAGES")):
        pages.add_run(text).font.size = Pt(9)
        _field_code(pages.add_run(), field)

    top = out.add_table(rows=1, cols=2)
    _no_borders(top)
    left, right = top.rows[0].cells
    left.paragraphs[0].add_run(doc.respondent).bold = True
    left.add_paragraph(doc.number_line)
    right.paragraphs[0].add_run(doc.country).bold = True
    motto = right.add_paragraph()
    motto_run = motto.add_run(doc.motto)
    motto_run.bold, motto_run.underline = True, True
    top.autofit = False
    for column, cell, width in zip(top.columns, (left, right), (Cm(6), Cm(10)), strict=True):
        column.width = cell.width = width
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                run.font.size = Pt(12)

    title = out.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(12)
    title.add_run(doc.title).bold = True
    sub = out.add_paragraph()
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.add_run(f"{doc.period_line}\n{doc.instrument}").italic = True

    facts = out.add_table(rows=0, cols=2)
    facts.style = "Table Grid"
    for label, text in doc.facts:
        cells = facts.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = text

    for part in doc.parts:
        heading = out.add_paragraph()
        heading.paragraph_format.space_before = Pt(12)
        heading.add_run(f"{part.number}. {part.title}".lstrip(". ").upper()).bold = True
        for sec in part.sections:
            p = out.add_paragraph()
            p.paragraph_format.space_before = Pt(6)
            p.add_run(f"{sec.number} {sec.title}".strip()).bold = True
            if sec.table is not None:
                table = out.add_table(rows=1, cols=len(sec.table.columns))
                table.style = "Table Grid"
                for cell, text in zip(table.rows[0].cells, sec.table.columns, strict=True):
                    cell.paragraphs[0].add_run(text).bold = True
                for row in sec.table.rows:
                    for cell, text in zip(table.add_row().cells, row, strict=True):
                        cell.text = text
                continue
            columns = doc.columns if sec.has_units else doc.columns[:2] + doc.columns[3:]
            table = out.add_table(rows=1, cols=len(columns))
            table.style = "Table Grid"
            table.alignment = WD_TABLE_ALIGNMENT.CENTER
            for cell, text in zip(table.rows[0].cells, columns, strict=True):
                cell.paragraphs[0].add_run(text).bold = True
            for line in sec.lines:
                cells = table.add_row().cells
                cells[0].text = line.number
                if line.heading:
                    merged = cells[1].merge(cells[-1])
                    merged.paragraphs[0].add_run(line.label).bold = True
                    continue
                cells[1].text = line.label
                if sec.has_units:
                    cells[2].text = line.unit
                cells[-1].text = line.value
            for row in table.rows:
                row.cells[0].width = Cm(1.6)

    sign = out.add_table(rows=1, cols=2)
    _no_borders(sign)
    cell = sign.rows[0].cells[1]
    date_line, role, note = doc.signature
    first = cell.paragraphs[0]
    first.paragraph_format.space_before = Pt(18)
    first.add_run(date_line).italic = True
    cell.add_paragraph().add_run(role).bold = True
    cell.add_paragraph().add_run(note).italic = True
    for p in cell.paragraphs:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


#: the writer of each format
WRITERS = {"docx": document_docx, "pdf": document_pdf}


def write_document(doc: Document, fmt: str) -> bytes:
    """``doc`` written in ``fmt`` (``docx`` | ``pdf``); ``ValueError`` for another format."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown document format {fmt!r}: choose docx or pdf")
    return WRITERS[fmt](doc)


# ------------------------------------------------------------------------ many at a time


def campaign_responses(
    campaign, user=None, *, park=None, province=None, enterprise=None
) -> QuerySet[Response]:
    """The responses of ``campaign`` whose documents are written, by id: those ``user`` may
    view (``enterprises.policy.restrict``; ``user=None``: every one, for operators), of
    ``park``, ``province`` or ``enterprise`` when given. Empty when the campaign collects no
    report forms (``Campaign.report_forms``)."""
    responses = Response.objects.filter(campaign=campaign).select_related(
        "campaign", "park__province", "enterprise", "submitted_by"
    )
    if not campaign.report_forms:
        return responses.none()
    if user is not None:
        responses = restrict(responses, user, Action.VIEW)
    if park is not None:
        responses = responses.filter(park=park)
    if province is not None:
        responses = responses.filter(park__province=province)
    if enterprise is not None:
        responses = responses.filter(enterprise=enterprise)
    return responses.order_by("pk")


def documents_count(responses: QuerySet[Response]) -> int:
    """How many documents ``responses`` make: one per response and form it files."""
    codes = set(responses[:1].values_list("campaign__report_forms", flat=True).first() or ())
    park = len(codes & {"A.4", "A.5"})
    enterprise = len(codes & {"B.4", "B.5"})
    return (
        responses.filter(enterprise__isnull=True).count() * park
        + responses.filter(enterprise__isnull=False).count() * enterprise
    )


def documents_after(
    responses: QuerySet[Response],
    reader,
    *,
    fmt: str,
    language: str = "vi",
    after: tuple[int, str] | None = None,
) -> Iterator[tuple[int, str, str, bytes]]:
    """``(response id, form, file name, bytes)`` of every document of ``responses`` in a stable
    order (responses by id, each one's forms in filing order: ``A4`` before ``A5``, ``B4``
    before ``B5``; names by report code, ``EZ_A4_17.pdf``) in ``fmt``, with the values
    ``reader`` may see. ``after = (response id, form)``: start after that document (the point a
    chunk of the ZIP job recorded, ``surveys.documents_archive``). ``ValueError`` for a format
    other than ``docx`` | ``pdf``."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown document format {fmt!r}: choose docx or pdf")
    if after is not None:
        responses = responses.filter(pk__gte=after[0])
    for response in responses.iterator(chunk_size=200):
        for doc in report_documents(response, reader, language=language):
            form = doc.code.split("_")[1]  # EZ_A4_17 → A4 (surveys/codes.py)
            if after is not None and response.pk == after[0] and _rank(form) <= _rank(after[1]):
                continue
            yield response.pk, form, doc.filename(fmt), write_document(doc, fmt)


def _rank(form: str) -> int:
    """A form's place among its subject's forms (``A4``/``B4`` 0, ``A5``/``B5`` 1)."""
    return int(form[1:]) if form[1:].isdigit() else 0


def documents_written(
    responses: QuerySet[Response], reader, *, fmt: str, language: str = "vi"
) -> Iterator[tuple[str, bytes]]:
    """``(file name, bytes)`` of every document of ``responses`` (:func:`documents_after`:
    one per response and form, named by its code: ``EZ_A4_17.pdf``) in ``fmt``, with the
    values ``reader`` may see."""
    for _response, _form, name, data in documents_after(
        responses, reader, fmt=fmt, language=language
    ):
        yield name, data
