"""Evidence files: proof a respondent attaches to an answer.

Which answers may carry evidence
    A data element accepts evidence when its ``value_type`` is ``document``, or when it is a
    yes/no element that feeds a **mandatory** criterion of the response's framework version
    (directly, or through the indicators its criterion's indicator builds on). Mandatory
    criteria are the ones that gate certification (Decree 35/2022/ND-CP Art. 37, Art. 40),
    so a "yes" there is the claim a reviewer most needs to see proof of. The set is computed
    from the framework, never typed in by hand: a new framework version brings its own.

What is accepted
    PDF, JPEG, PNG and XLSX only, at most :data:`EVIDENCE_MAX_BYTES` (10 MB = 10 × 1024 ×
    1024 bytes). The type is read from the file's **content** (magic bytes, by the
    ``filetype`` library), never from its name or the browser's Content-Type. An XLSX is a
    ZIP holding ``[Content_Types].xml`` whose main part is a spreadsheet workbook and an
    ``xl/`` folder; macro-enabled workbooks (``.xlsm``: a ``vbaProject.bin`` part or a
    ``macroEnabled`` content type), templates and archives unpacking to more than
    ``common.xlsx.MAX_UNCOMPRESSED_BYTES`` (200 MB: a zip bomb) are refused.

Where it is kept
    Under ``MEDIA_ROOT`` (``var/media`` by default: outside ``static/``), with a random
    name; the original name is kept for display only. The storage has no public URL:
    files are served only by :func:`surveys.views_evidence.evidence_download`, which looks
    the file up through :func:`evidence_visible` (the permission policy of
    ``enterprises.policy``), so anything outside the user's scope answers 404.

Who may do what
    The respondent (``enterprises.policy.can_respond``) uploads and deletes while the
    response is editable (draft or returned) and its reporting period is open
    (``surveys.periods``); everyone who may see the response (reviewers
    included) downloads.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

import filetype
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from common.xlsx import FileRefused, unpacked_size_check
from enterprises.policy import restrict
from indicators.formula import FormulaError, parse_formula
from indicators.models import Criterion, DataElement, Indicator

from .models import Evidence, Response
from .services import check_respondent, response_elements

log = logging.getLogger(__name__)

#: Largest accepted file, in bytes (10 MB, binary megabytes).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
#: Most files one answer may carry (keeps a response reviewable).
EVIDENCE_MAX_FILES_PER_ELEMENT = 10

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
#: what a form field asking for documents accepts (Circular 05/2025 form A.4 III.2.1.11:
#: contracts or agreements as PDF, Word or Excel) and how much in all: 10 files, 10 MB
FORM_FILE_KINDS = ("pdf", "docx", "xlsx")
FORM_FILES_MAX_BYTES = 10 * 1024 * 1024
#: detected MIME type → (kind, file extension used for the stored name)
ACCEPTED_TYPES = {
    "application/pdf": ("pdf", "pdf"),
    "image/jpeg": ("jpeg", "jpg"),
    "image/png": ("png", "png"),
    XLSX_MIME: ("xlsx", "xlsx"),
    DOCX_MIME: ("docx", "docx"),
}
_SNIFF_BYTES = 8192  # filetype needs more than its 261-byte minimum to tell OOXML from ZIP
_WORKBOOK_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_MAX_CONTENT_TYPES_BYTES = 1024 * 1024


class EvidenceError(ValidationError):
    """A file refused as evidence; the message names the file and the reason."""


@dataclass(frozen=True)
class SniffedFile:
    """What the content of an upload is: ``kind`` (pdf, jpeg, png, xlsx), its ``mime``
    type and the ``extension`` used for the stored name; ``size`` in bytes."""

    kind: str
    mime: str
    extension: str
    size: int


def display_name(name: str) -> str:
    """The uploaded file's own name, without any folder part or control characters, at most
    200 characters; ``"file"`` when nothing is left."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[-200:] or "file"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _check_xlsx(file, name: str) -> None:
    """Refuse a ZIP that is not a plain XLSX workbook (macro-enabled, template, other)."""
    not_xlsx = EvidenceError(
        _("«%(name)s» is a ZIP archive but not an Excel workbook (.xlsx).") % {"name": name},
        code="evidence_type",
    )
    try:
        archive = zipfile.ZipFile(file)
        names = archive.namelist()
        if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
            raise not_xlsx
        if archive.getinfo("[Content_Types].xml").file_size > _MAX_CONTENT_TYPES_BYTES:
            raise not_xlsx
        unpacked_size_check(archive)
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except FileRefused as exc:
        raise EvidenceError(
            _("«%(name)s» is refused: %(reason)s") % {"name": name, "reason": exc.message},
            code="evidence_unpacked_size",
        ) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        raise not_xlsx from None
    finally:
        file.seek(0)
    lowered = [n.lower() for n in names]
    if any(n.endswith("vbaproject.bin") for n in lowered) or "macroenabled" in (
        content_types.lower()
    ):
        raise EvidenceError(
            _(
                "«%(name)s» is a macro-enabled workbook; macros are not accepted. Save it as "
                "an ordinary Excel workbook (.xlsx) and upload that."
            )
            % {"name": name},
            code="evidence_macro",
        )
    if _WORKBOOK_MAIN not in content_types:
        raise not_xlsx


def _is_word(file) -> bool:
    """True when the ZIP ``file`` is a Word document (a ``word/document.xml`` part)."""
    try:
        return "word/document.xml" in zipfile.ZipFile(file).namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        return False
    finally:
        file.seek(0)


def _check_docx(file, name: str) -> None:
    """Refuse a Word ZIP that is macro-enabled (.docm) or not a plain document (.docx)."""
    not_docx = EvidenceError(
        _("«%(name)s» is a ZIP archive but not a Word document (.docx).") % {"name": name},
        code="evidence_type",
    )
    try:
        archive = zipfile.ZipFile(file)
        names = [n.lower() for n in archive.namelist()]
        if archive.getinfo("[Content_Types].xml").file_size > _MAX_CONTENT_TYPES_BYTES:
            raise not_docx
        content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError):
        raise not_docx from None
    finally:
        file.seek(0)
    if any(n.endswith("vbaproject.bin") for n in names) or "macroenabled" in content_types.lower():
        raise EvidenceError(
            _(
                "«%(name)s» is a macro-enabled document; macros are not accepted. Save it as "
                "an ordinary Word document (.docx) and upload that."
            )
            % {"name": name},
            code="evidence_macro",
        )
    if _DOCUMENT_MAIN not in content_types:
        raise not_docx


def evidence_sniff(*, file, name: str, word: bool = False) -> SniffedFile:
    """Tell what ``file`` (a Django ``UploadedFile`` or any seekable binary file with a
    ``size``) is from its content.

    Returns a :class:`SniffedFile`. Raises :class:`EvidenceError` naming ``name`` when the
    file is empty, larger than :data:`EVIDENCE_MAX_BYTES`, of a type other than PDF, JPEG,
    PNG, XLSX or DOCX (whatever its name says), or a macro-enabled or otherwise non-plain
    workbook or document. DOCX only with ``word`` (a form field asking for documents).
    The file is left at position 0.
    """
    size = file.size
    if not size:
        raise EvidenceError(_("«%(name)s» is empty.") % {"name": name}, code="evidence_empty")
    if size > EVIDENCE_MAX_BYTES:
        raise EvidenceError(
            _("«%(name)s» is %(size)s MB; files may be at most %(max)s MB.")
            % {"name": name, "size": _megabytes(size), "max": _megabytes(EVIDENCE_MAX_BYTES)},
            code="evidence_size",
        )
    file.seek(0)
    head = file.read(_SNIFF_BYTES)
    file.seek(0)
    guess = filetype.guess(head)
    mime = guess.mime if guess else None
    if guess is not None and (mime == "application/zip" or mime.startswith(XLSX_MIME[:38])):
        # any ZIP-based container: decide from its structure, not from filetype's guess
        if word and _is_word(file):
            _check_docx(file, name)
            mime = DOCX_MIME
        else:
            _check_xlsx(file, name)
            mime = XLSX_MIME
    if mime not in ACCEPTED_TYPES or (mime == DOCX_MIME and not word):
        detected = (
            _("its content is %(type)s") % {"type": guess.extension.upper()}
            if guess
            else _("its content is not recognised")
        )
        raise EvidenceError(
            (
                _("«%(name)s» is refused: %(detected)s. Accepted are PDF, Word and Excel.")
                if word
                else _("«%(name)s» is refused: %(detected)s. Accepted are PDF, JPEG, PNG and XLSX.")
            )
            % {"name": name, "detected": detected},
            code="evidence_type",
        )
    kind, extension = ACCEPTED_TYPES[mime]
    return SniffedFile(kind=kind, mime=mime, extension=extension, size=size)


# --------------------------------------------------------------------------------------
# Reads
# --------------------------------------------------------------------------------------


def evidence_visible(user) -> QuerySet[Evidence]:
    """Evidence of the responses in the user's scope (``enterprises.policy.restrict``):
    an enterprise sees its own, a park manager its park's and tenants', a board its
    province's, the ministry all; nobody else anything."""
    return restrict(Evidence.objects.select_related("response", "data_element"), user)


def _indicator_elements(version_id: int) -> dict[str, set[str]]:
    """``{indicator code: data element codes it reads}``, through other indicators too."""
    direct: dict[str, set[str]] = {}
    for code, formula in Indicator.objects.filter(version_id=version_id).values_list(
        "code", "formula"
    ):
        try:
            parsed = parse_formula(formula, code=code)
        except FormulaError:  # loaded frameworks are checked; never fail a page on one
            log.warning("indicator %s has an unreadable formula", code)
            continue
        direct[code] = set(parsed.references) | set(parsed.tenant_references)
    resolved: dict[str, set[str]] = {}

    def resolve(code: str, seen: frozenset[str]) -> set[str]:
        if code in resolved:
            return resolved[code]
        out: set[str] = set()
        for ref in direct.get(code, ()):
            if ref in direct and ref not in seen:
                out |= resolve(ref, seen | {ref})
            else:
                out.add(ref)
        resolved[code] = out
        return out

    for code in direct:
        resolve(code, frozenset({code}))
    return resolved


def evidence_elements(response: Response) -> list[DataElement]:
    """Data elements of ``response`` that accept evidence, in form order: ``document``
    elements, and yes/no elements read by a mandatory criterion's indicator (Decree 35/2022
    Art. 37, Art. 40: the criteria that gate certification). Two queries plus the form's."""
    elements = response_elements(response)
    version_id = response.campaign.framework_version_id
    by_indicator = _indicator_elements(version_id)
    mandatory_codes: set[str] = set()
    for code in Criterion.objects.filter(
        version_id=version_id, level=Criterion.Level.MANDATORY, indicator__isnull=False
    ).values_list("indicator__code", flat=True):
        mandatory_codes |= by_indicator.get(code, set())
    return [
        e
        for e in elements
        if e.value_type == DataElement.ValueType.DOCUMENT
        or (e.value_type == DataElement.ValueType.YES_NO and e.code in mandatory_codes)
    ]


# --------------------------------------------------------------------------------------
# Writes
# --------------------------------------------------------------------------------------


def _check_respondent(response: Response, user) -> None:
    """The respondent's checks of ``surveys.services.check_respondent``, the messages naming
    the evidence."""
    check_respondent(
        response,
        user,
        refused=_("Only the respondent may change this response's evidence."),
        locked=_("This response is %(status)s; its evidence can no longer be changed."),
    )


def _sha256(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def evidence_form_items(response: Response) -> list:
    """The fields of ``response``'s official forms that take uploaded documents (form A.4
    III.2.1.11: the symbiosis contracts or agreements), in the forms' order."""
    from indicators.official_forms import Kind

    from .reports import response_forms

    return [i for f in response_forms(response) for i in f.items() if i.kind is Kind.FILE]


@transaction.atomic
def evidence_upload(
    *, response: Response, file, user, data_element: DataElement | None = None, item: str = ""
) -> Evidence:
    """Attach ``file`` (a Django ``UploadedFile``) as evidence for ``data_element`` of
    ``response``, or as a document of the form field ``item`` (``"A.4:III.2.1.11"``).

    The type is checked from the content (:func:`evidence_sniff`); the file is stored under
    ``MEDIA_ROOT/evidence/`` with a random name and its original name kept for display.
    Raises ``PermissionDenied`` for anyone but the respondent, ``ValidationError`` when the
    response is locked (submitted or approved), when the element does not accept evidence
    (see :func:`evidence_elements`) or already has :data:`EVIDENCE_MAX_FILES_PER_ELEMENT`
    files, when the form field is not one of :func:`evidence_form_items` or its files would
    exceed 10 or :data:`FORM_FILES_MAX_BYTES` in all, or the file is not PDF, Word or Excel
    for a form field (an answer's evidence: not a Word document), and :class:`EvidenceError`
    for a refused file. Nothing is stored on error.
    """
    locked = (
        Response.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=response.pk)
    )
    _check_respondent(locked, user)
    if item:
        if item not in {i.ident for i in evidence_form_items(locked)}:
            raise ValidationError(
                _("«%(code)s» does not take documents in this response.") % {"code": item},
                code="evidence_element",
            )
        existing = Evidence.objects.filter(response=locked, item=item)
    else:
        if data_element is None or data_element.pk not in {e.pk for e in evidence_elements(locked)}:
            raise ValidationError(
                _("«%(code)s» does not take evidence in this response.") % {"code": data_element},
                code="evidence_element",
            )
        existing = Evidence.objects.filter(response=locked, data_element=data_element)
    if existing.count() >= EVIDENCE_MAX_FILES_PER_ELEMENT:
        raise ValidationError(
            _("This answer already has %(n)s files, the most it may carry; delete one first.")
            % {"n": EVIDENCE_MAX_FILES_PER_ELEMENT},
            code="evidence_count",
        )
    name = display_name(getattr(file, "name", ""))
    sniffed = evidence_sniff(file=file, name=name, word=bool(item))
    if item and sniffed.kind not in FORM_FILE_KINDS:
        raise EvidenceError(
            _("«%(name)s» is refused: this field takes PDF, Word (.docx) or Excel (.xlsx).")
            % {"name": name},
            code="evidence_type",
        )
    if item and sum(existing.values_list("size", flat=True)) + sniffed.size > FORM_FILES_MAX_BYTES:
        raise EvidenceError(
            _("«%(name)s» would bring this field's files above %(max)s MB in all.")
            % {"name": name, "max": _megabytes(FORM_FILES_MAX_BYTES)},
            code="evidence_size",
        )
    evidence = Evidence(
        response=locked,
        data_element=None if item else data_element,
        item=item,
        original_name=name,
        kind=sniffed.kind,
        content_type=sniffed.mime,
        size=sniffed.size,
        sha256=_sha256(file),
        uploaded_by=user,
    )
    # the stored name is random (``evidence_upload_to``); only the extension comes from here
    evidence.file.save(f"upload.{sniffed.extension}", file, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def evidence_delete(*, evidence: Evidence, user) -> None:
    """Delete one evidence file and its record.

    Raises ``PermissionDenied`` for anyone but the respondent and ``ValidationError`` when
    the response is locked. The file leaves the disk after the transaction commits.
    """
    response = (
        Response.objects.select_for_update(of=("self",))
        .select_related("campaign")
        .get(pk=evidence.response_id)
    )
    _check_respondent(response, user)
    name, storage = evidence.file.name, evidence.file.storage
    evidence.delete()
    transaction.on_commit(lambda: storage.delete(name))
