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
