"""Model fields several apps declare alike: who last did something to a row, and when.

Each call returns a new field; the field deconstructs exactly as the one it replaced, so the
migrations see no change (``manage.py makemigrations --check``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def user_reference(verbose_name, *, on_delete) -> models.ForeignKey:
    """An optional link to the user who did something to the row (``verbose_name`` says
    what: "updated by", "submitted by", "accepted by"): nullable, blank in forms, and no
    reverse accessor on the user (``related_name="+"``). ``on_delete``: ``models.SET_NULL``
    keeps the row when the user is deleted, ``models.PROTECT`` keeps the user."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=on_delete,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def updated_by(*, on_delete=models.SET_NULL) -> models.ForeignKey:
    """The last writer of the row (:func:`user_reference` named "updated by")."""
    return user_reference(_("updated by"), on_delete=on_delete)


def updated_at() -> models.DateTimeField:
    """When the row was last saved (set on every ``save()``)."""
    return models.DateTimeField(_("updated at"), auto_now=True)


def ordered_or_blank(earlier: str, later: str, *, name: str, later_first: bool = False):
    """A check constraint named ``name``: field ``later`` is not before field ``earlier``
    (``later >= earlier``) unless either is null (dates of a range, a minimum and a maximum).

    ``later_first`` writes the null test of ``later`` first: the migrations compare the
    condition term by term, so each constraint keeps the order it was created with."""
    blanks = (later, earlier) if later_first else (earlier, later)
    return models.CheckConstraint(
        condition=Q(**{f"{blanks[0]}__isnull": True})
        | Q(**{f"{blanks[1]}__isnull": True})
        | Q(**{f"{later}__gte": models.F(earlier)}),
        name=name,
    )


def quantity(verbose_name) -> models.DecimalField:
    """An optional quantity (a physical amount, an answer's number): 24 digits, 6 of them
    after the point; null when not given."""
    return models.DecimalField(verbose_name, max_digits=24, decimal_places=6, null=True, blank=True)


def amount_vnd(verbose_name) -> models.DecimalField:
    """An optional amount of money in whole VND (20 digits); null when not given."""
    return models.DecimalField(verbose_name, max_digits=20, decimal_places=0, null=True, blank=True)


def tonnes_co2e(verbose_name) -> models.DecimalField:
    """An optional GHG quantity in t CO2e, to 4 decimals (16 digits); null when not given."""
    return models.DecimalField(verbose_name, max_digits=16, decimal_places=4, null=True, blank=True)
