"""The response form, generated from a framework version's data elements.

Numbers are read the way people type them in the active language (``common.parsing``:
``1.234,5`` in Vietnamese, ``1,234.5`` in English); a value that cannot be read is refused with
a message naming the field, and the bound form keeps what was typed. Values with a unit are
converted to the element's canonical unit (``indicators.units``); the typed text is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from common.parsing import ParseError, parse_date, parse_number, parse_percent
from indicators import units
from indicators.models import DataElement
from registers.selectors import REGISTER_ELEMENTS

from .validation import cross_field_errors

#: The largest magnitude an answer may have: below 10^15, so that it survives every database
#: (SQLite keeps decimals as 64-bit floats, exact to 15 digits) and Answer.value_number
#: (24 digits, 6 after the point). 10^15 VND is about 40 billion USD; 10^15 kWh is 4 000 times
#: Vietnam's yearly electricity use.
ANSWER_LIMIT = Decimal(10) ** 15


def fits_storage(number: Decimal, *, limit: Decimal = ANSWER_LIMIT) -> bool:
    """True when ``number`` is finite and its magnitude is below ``limit`` (default: what
    ``Answer.value_number`` can hold)."""
    return number.is_finite() and abs(number) < limit


def percent_range_message() -> str:
    """The message of the Circular 05/2025 forms for a percentage outside 0–100 %
    (Vietnamese: "Giá trị hợp lệ trong khoảng từ 0 - 100%")."""
    return _("Valid values are from 0 to 100%.")


def is_percent_0_100(element) -> bool:
    """True for a percentage element bounded 0–100 (the forms' range and message apply)."""
    return (
        element.value_type == DataElement.ValueType.PERCENTAGE
        and element.min_value == 0
        and element.max_value == 100
    )


YES_NO_CHOICES = [
    ("", gettext_lazy("— not answered —")),
    ("yes", gettext_lazy("Yes")),
    ("no", gettext_lazy("No")),
]


@dataclass(frozen=True)
class AnswerValue:
    """A cleaned answer: exactly one of ``number``/``flag``/``text`` is set, or none (blank).

    ``number`` is in the element's canonical unit; ``raw`` is what was typed and ``unit`` the
    unit it was typed in.
    """

    number: Decimal | None = None
    flag: bool | None = None
    text: str = ""
    raw: str = ""
    unit: str = ""

    @property
    def is_blank(self) -> bool:
        """True when nothing was entered."""
        return self.number is None and self.flag is None and not self.text


def _register_codes() -> set[str]:
    """Data element codes whose scored value comes from the registers when they hold records
    (see :func:`surveys.selectors.scoring_answers_frame`)."""
    return {code for codes in REGISTER_ELEMENTS.values() for code in codes}


def element_label(element: DataElement) -> str:
    """The element's label in the active language."""
    return element.label_en if (get_language() or "vi").startswith("en") else element.label_vi


def element_help(element: DataElement) -> str:
    """The element's help text in the active language."""
    return element.help_en if (get_language() or "vi").startswith("en") else element.help_vi


def unit_choices(element: DataElement) -> list[str]:
    """Units a person may type this element in (canonical first); [] when there is no choice."""
    if not element.unit or element.value_type not in ("integer", "decimal"):
        return []
    try:
        offered = units.units_for(units.dimension_of(element.unit))
    except units.UnitError:
        return []
    return offered if len(offered) > 1 else []


def _stored_value(answer) -> AnswerValue:
    """A stored :class:`~surveys.models.Answer` as the cleaned value that would store it again
    unchanged."""
    return AnswerValue(
        number=answer.value_number,
        flag=answer.value_bool,
        text=answer.value_text or "",
        raw=answer.raw or "",
        unit=answer.unit_entered or "",
    )


def answer_display(answer, element: DataElement, *, language: str) -> str:
    """A stored answer as the form shows it in ``language`` (``"vi"``/``"en"``), so that the
    form reads it back as the same value: yes/no as ``"yes"``/``"no"``; a date as dd/mm/yyyy;
    a number as the person typed it when that reads as the same number in ``language``
    (``"1 000,75"`` in Vietnamese), otherwise the stored number in the unit it was typed in,
    written the ``language`` way without grouping (``"1000.75"`` in English)."""
    vt = element.value_type
    if vt == DataElement.ValueType.YES_NO:
        return "" if answer.value_bool is None else ("yes" if answer.value_bool else "no")
    if vt == DataElement.ValueType.DATE:
        try:
            return parse_date(answer.value_text).strftime("%d/%m/%Y") if answer.value_text else ""
        except ParseError:
            return answer.raw or answer.value_text
    if answer.value_number is None:
        return answer.raw or answer.value_text or ""
    number = answer.value_number
    if answer.unit_entered and element.unit and answer.unit_entered != element.unit:
        try:
            number = units.convert(number, element.unit, answer.unit_entered)
        except units.UnitError:
            pass
    read = parse_percent if vt == DataElement.ValueType.PERCENTAGE else parse_number
    try:
        if answer.raw and read(answer.raw, language=language) == number:
            return answer.raw
    except ParseError:
        pass
    text = f"{Decimal(number).normalize():f}"
    return text.replace(".", ",") if language == "vi" else text


class ResponseForm(forms.Form):
    """One field per data element of the response's subject (park or enterprise), in the
    framework's order; ``<code>__unit`` holds the unit picker where several units apply.

    ``answers`` (``{data element id: Answer}``, the stored answers): the fields start with
    them, written the active language's way (:func:`answer_display`), and a field the person
    did not touch (sent back as shown, with the same unit) keeps its stored value without
    being read again — a value typed in the other language, or one outside a range narrowed
    since, never blocks saving the other fields.

    ``cleaned_values()`` returns ``{DataElement: AnswerValue}`` after ``is_valid()``.
    """

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, elements: list[DataElement], answers: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.elements = elements
        self._stored: dict[str, tuple[str, str, AnswerValue]] = {}
        language = self._language()
        for element in elements:
            answer = (answers or {}).get(element.pk)
            if answer is None:
                continue
            shown = answer_display(answer, element, language=language)
            unit = answer.unit_entered or ""
            self._stored[element.code] = (shown, unit, _stored_value(answer))
            self.initial.setdefault(element.code, shown)
            if unit:
                self.initial.setdefault(f"{element.code}__unit", unit)
        for element in elements:
            label = element_label(element)
            help_text = element_help(element)
            if element.value_type == DataElement.ValueType.YES_NO:
                field = forms.ChoiceField(
                    choices=YES_NO_CHOICES, required=False, widget=forms.RadioSelect
                )
            elif element.value_type == DataElement.ValueType.CHOICE:
                field = forms.ChoiceField(
                    choices=[("", "—")] + [(c, c) for c in element.choices], required=False
                )
            elif element.value_type == DataElement.ValueType.TEXT:
                field = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
            else:
                attrs = {"inputmode": "decimal", "autocomplete": "off"}
                field = forms.CharField(
                    required=False, max_length=60, widget=forms.TextInput(attrs)
                )
            if element.code in _register_codes():
                note = _(
                    "If the registers (RECP measures, symbiosis exchanges, ISO certificates) "
                    "hold records for you, the scores use the registers' value instead of "
                    "this answer."
                )
                help_text = f"{help_text} {note}".strip()
            field.label = label
            field.help_text = help_text
            self.fields[element.code] = field
            choices = unit_choices(element)
            if choices:
                self.fields[f"{element.code}__unit"] = forms.ChoiceField(
                    choices=[(u, u) for u in choices], required=False, label=_("unit")
                )

    def _language(self) -> str:
        return "en" if (get_language() or "vi").startswith("en") else "vi"

    def _clean_element(self, element: DataElement, raw) -> AnswerValue:
        label = element_label(element)
        raw = "" if raw is None else str(raw).strip()
        if not raw:
            return AnswerValue()
        vt = element.value_type
        if vt == DataElement.ValueType.YES_NO:
            return AnswerValue(flag=raw == "yes", raw=raw)
        if vt in (DataElement.ValueType.TEXT, DataElement.ValueType.CHOICE):
            return AnswerValue(text=raw, raw=raw)
        if vt == DataElement.ValueType.DATE:
            try:
                value = parse_date(raw)
            except ParseError:
                raise forms.ValidationError(
                    _("«%(label)s»: “%(value)s” is not a date; write it as dd/mm/yyyy.")
                    % {"label": label, "value": raw}
                ) from None
            return AnswerValue(text=value.isoformat(), raw=raw)
        # the example is in the message's (active) language; the API reads numbers the English
        # way (``_language``) and accepts 1.234,5 as well
        example = "1,234.5" if (get_language() or "vi").startswith("en") else "1.234,5"
        try:
            if vt == DataElement.ValueType.PERCENTAGE:
                number = parse_percent(raw, language=self._language())
            else:
                number = parse_number(raw, language=self._language())
        except ParseError:
            raise forms.ValidationError(
                _("«%(label)s»: “%(value)s” is not a number; write a number such as %(example)s.")
                % {"label": label, "value": raw, "example": example}
            ) from None
        if vt == DataElement.ValueType.INTEGER and number != number.to_integral_value():
            raise forms.ValidationError(
                _("«%(label)s»: “%(value)s” must be a whole number.")
                % {"label": label, "value": raw}
            )
        unit = self.cleaned_data.get(f"{element.code}__unit") or element.unit
        if unit and unit != element.unit:
            try:
                number, _canonical = units.to_canonical(
                    number, unit, dimension=units.dimension_of(element.unit)
                )
            except units.UnitError as exc:
                raise forms.ValidationError(f"«{label}»: {exc.message}") from None
        if not fits_storage(number):
            raise forms.ValidationError(
                _("«%(label)s»: %(value)s is too large to be a plausible value.")
                % {"label": label, "value": raw}
            )
        number = number.quantize(Decimal("0.000001")).normalize()
        if is_percent_0_100(element) and not 0 <= number <= 100:
            raise forms.ValidationError(f"«{label}»: {percent_range_message()}")
        if element.min_value is not None and number < element.min_value:
            raise forms.ValidationError(
                _("«%(label)s»: %(value)s is below the minimum %(min)s.")
                % {"label": label, "value": raw, "min": f"{element.min_value.normalize():f}"}
            )
        if element.max_value is not None and number > element.max_value:
            raise forms.ValidationError(
                _("«%(label)s»: %(value)s is above the maximum %(max)s.")
                % {"label": label, "value": raw, "max": f"{element.max_value.normalize():f}"}
            )
        return AnswerValue(number=number, raw=raw, unit=unit if unit != element.unit else "")

    def _untouched(self, element: DataElement, raw) -> AnswerValue | None:
        """The stored value when the field came back as the form showed it, else None."""
        stored = self._stored.get(element.code)
        if stored is None:
            return None
        shown, unit, value = stored
        sent_unit = self.cleaned_data.get(f"{element.code}__unit") or ""
        if ("" if raw is None else str(raw).strip()) != shown.strip():
            return None
        if unit_choices(element) and (sent_unit or element.unit) != (unit or element.unit):
            return None
        return value

    def clean(self):
        cleaned = super().clean()
        self._values: dict[DataElement, AnswerValue] = {}
        for element in self.elements:
            if element.code in self.errors:
                continue
            untouched = self._untouched(element, cleaned.get(element.code))
            if untouched is not None:
                self._values[element] = untouched
                continue
            try:
                self._values[element] = self._clean_element(element, cleaned.get(element.code))
            except forms.ValidationError as exc:
                self.add_error(element.code, exc)
        values = {e.code: v for e, v in self._values.items()}
        labels = {e.code: element_label(e) for e in self.elements}
        for code, message in cross_field_errors(values, labels=labels).items():
            self.add_error(code, message)
        return cleaned

    def cleaned_values(self) -> dict[DataElement, AnswerValue]:
        """``{DataElement: AnswerValue}`` for every element (blank ones included)."""
        return self._values
