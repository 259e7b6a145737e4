"""Reads of the registry's investment projects (Part I of the annual reports, Circular
05/2025/TT-BKHĐT forms A.4 and B.4), with personal data hidden from those who may not see
it (``enterprises.policy``, action ``view_personal``)."""

from __future__ import annotations

import datetime

from .models import Enterprise, InvestmentProject, Park
from .policy import Action, can


class _Hidden:
    """Stands for a personal value the user may not see (its text is a dash)."""

    def __str__(self) -> str:
        return "•••"

    def __repr__(self) -> str:
        return "HIDDEN"

    def __bool__(self) -> bool:
        return True


#: the value shown in place of personal data the user may not see
HIDDEN = _Hidden()


def project_defaults(*, park: Park, enterprise: Enterprise | None = None) -> dict:
    """What the registry already knows of a project before anyone types it: the park's
    infrastructure developer (``Park.operator``, an organisation) for a park; the enterprise
    itself as the economic organisation implementing the project (name and tax code, which is
    its enterprise code since the Law on Enterprises 2014) for an enterprise."""
    if enterprise is None:
        return {
            "investor_kind": InvestmentProject.InvestorKind.ORGANISATION,
            "investor_name": park.operator or "",
        }
    return {"organisation_name": enterprise.name, "organisation_code": enterprise.tax_code}


def project_of(*, park: Park, enterprise: Enterprise | None = None) -> InvestmentProject:
    """The investment project of ``park`` (its infrastructure project) or of ``enterprise``:
    the saved one, or an unsaved one holding :func:`project_defaults` (nothing is written)."""
    found = InvestmentProject.objects.filter(park=park, enterprise=enterprise).first()
    if found is not None:
        return found
    return InvestmentProject(
        park=park, enterprise=enterprise, **project_defaults(park=park, enterprise=enterprise)
    )


def project_as_of(project: InvestmentProject, moment: datetime.datetime | None):
    """``project`` as it stood at ``moment`` (its history), e.g. when a report was submitted;
    the project itself when ``moment`` is None, the project is unsaved or has no history
    before that moment."""
    if moment is None or project.pk is None:
        return project
    try:
        return project.history.as_of(moment)
    except InvestmentProject.DoesNotExist:
        return project


def project_values(project: InvestmentProject, user) -> dict[str, object]:
    """``{field: value}`` for every registry field of ``project``
    (:meth:`InvestmentProject.registry_fields`), personal data (``PERSONAL_FIELDS``) replaced by
    :data:`HIDDEN` when the user may not ``view_personal`` and the field holds a value. Values
    are ``str`` (blank ``""``) or ``datetime.date`` (blank None)."""
    probe = (
        project
        if project.pk
        else InvestmentProject(park_id=project.park_id, enterprise_id=project.enterprise_id)
    )
    personal = can(user, Action.VIEW_PERSONAL, probe)
    values = {}
    for name in InvestmentProject.registry_fields():
        value = getattr(project, name)
        if name in InvestmentProject.PERSONAL_FIELDS and not personal and value not in ("", None):
            value = HIDDEN
        values[name] = value
    return values
