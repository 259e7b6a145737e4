"""Template tag of the evidence panel shown on the response page (``surveys.evidence``)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from ..evidence import EVIDENCE_MAX_BYTES, evidence_elements, evidence_form_items, evidence_visible
from ..reports import item_title
from ..selectors import response_editable_by

register = template.Library()


@register.inclusion_tag("surveys/evidence_panel.html", takes_context=True)
def evidence_panel(context, response=None):
    """The evidence of ``response`` (default: ``response`` of the page) grouped by the answer
    it proves, with download links; for the respondent of an editable response, the upload
    form and delete buttons. Reads go through the permission policy."""
    request = context["request"]
    response = response or context["response"]
    user = request.user
    elements = evidence_elements(response)
    items = list(
        evidence_visible(user)
        .filter(response_id=response.pk)
        .select_related("data_element", "uploaded_by")
    )
    english = (get_language() or "vi").startswith("en")
    labels = {e.pk: (e.label_en if english else e.label_vi) for e in elements}
    form_items = {i.ident: i for i in evidence_form_items(response)}
    language = "en" if english else "vi"
    for item in items:
        element = item.data_element
        if element is None:
            field = form_items.get(item.item)
            item.label = f"{field.form} {item_title(field, language)}" if field else item.item
            continue
        item.label = labels.get(element.pk) or (element.label_en if english else element.label_vi)
    may_change = response_editable_by(user, response)
    return {
        "response": response,
        "items": items,
        "choices": [(e.code, labels[e.pk]) for e in elements]
        + [(i.ident, f"{i.form} {item_title(i, language)}") for i in form_items.values()],
        "may_change": may_change,
        "max_mb": EVIDENCE_MAX_BYTES // (1024 * 1024),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "chosen": context.get("chosen", ""),
    }
