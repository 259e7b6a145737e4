"""The demo loader of `make run`: idempotent, and it never overwrites what users changed."""

import pytest
from django.core.management import call_command

from surveys.models import Answer, Response, Transition


@pytest.mark.django_db
def test_loading_the_demo_twice_adds_nothing_and_keeps_users_changes(catalogue):
    call_command("load_demo", verbosity=0)
    counts = (Response.objects.count(), Answer.objects.count(), Transition.objects.count())
    draft = Response.objects.get(enterprise__name__startswith="Công ty CP Cơ khí Biên Hòa Sạch")
    assert draft.status == "draft"  # enterprise-b has something to review and submit
    answer = draft.answers.get(data_element__code="symbioses_participating")
    answer.value_number = 7
    answer.save()
    call_command("load_demo", verbosity=0)
    assert (Response.objects.count(), Answer.objects.count(), Transition.objects.count()) == counts
    answer.refresh_from_db()
    assert answer.value_number == 7
    approved = Response.objects.filter(campaign__period__lt=2025, status="approved").count()
    assert approved == 2  # Amata's 2023 and 2024 park reports stay approved


@pytest.mark.django_db
def test_enterprise_b_submits_its_demo_b4_and_b5(catalogue):
    """The README's demo walk: enterprise-b has its B.4 and B.5 to submit, with P4.1 = 0
    symbioses (B.4 P4.2–P4.33 then do not apply, docs/forms.md §6)."""
    from django.contrib.auth import get_user_model

    from surveys.services import response_submit

    call_command("load_demo", verbosity=0)
    draft = Response.objects.get(
        campaign__period=2025, enterprise__name__startswith="Công ty CP Cơ khí Biên Hòa Sạch"
    )
    count = draft.answers.get(data_element__code="symbioses_participating").value_number
    assert count == 0
    user = get_user_model().objects.get(username="enterprise-b")
    response_submit(response=draft, user=user)
    draft.refresh_from_db()
    assert draft.status == "submitted"
