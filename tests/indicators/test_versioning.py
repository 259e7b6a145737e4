"""Versioning of the criteria catalogue: frozen versions, new drafts, checks on
publishing, the diff, and reproducible scores for campaigns on an earlier version."""

import datetime
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.urls import reverse

from dashboards.models import CriterionResult, ScoreSnapshot
from dashboards.services import park_recompute
from enterprises.models import Role
from indicators.models import Category, Criterion, DataElement, FrameworkVersion, Indicator
from indicators.selectors import version_diff
from indicators.services import (
    FrozenVersionError,
    criterion_update,
    data_element_update,
    indicator_update,
    version_discard_draft,
    version_new_draft,
    version_publish,
    version_update,
)
from surveys.models import Response
from surveys.services import campaign_open

from ..conftest import PASSWORD, make_user, open_dates

# messages asserted in English (the source language); pages choose per request
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_messages")]


COPIED_FIELDS = [
    f.name
    for f in Criterion._meta.concrete_fields
    if f.name not in ("id", "version", "category", "indicator")
]


def v1():
    return FrameworkVersion.objects.get(framework__code="VN-2022", number=1)


def crit(version, code):
    return Criterion.objects.select_related("indicator", "category").get(version=version, code=code)


def test_editing_a_criterion_of_a_published_version_is_refused(catalogue):
    e4 = crit(v1(), "VN35-EIP-E4")
    with pytest.raises(FrozenVersionError) as exc:
        criterion_update(criterion=e4, threshold=Decimal("30"))
    assert exc.value.messages == [
        "Version VN-2022 v1 is published; create a new version to change it."
    ]
    assert crit(v1(), "VN35-EIP-E4").threshold == Decimal("20")


def test_editing_indicators_data_elements_and_the_version_itself_is_refused_when_published(
    catalogue,
):
    version = v1()
    indicator = Indicator.objects.get(version=version, code="VN35-EIP-E2")
    element = DataElement.objects.get(version=version, code="symbioses_operating")
    with pytest.raises(FrozenVersionError):
        indicator_update(indicator=indicator, formula="symbioses_operating + 1")
    with pytest.raises(FrozenVersionError):
        data_element_update(data_element=element, max_value=Decimal("5"))
    with pytest.raises(FrozenVersionError):
        version_update(version=version, title_en="Changed")
    assert Indicator.objects.get(pk=indicator.pk).formula == "symbioses_operating"
    assert DataElement.objects.get(pk=element.pk).max_value is None
    assert FrameworkVersion.objects.get(pk=version.pk).title_en.startswith("Eco-industrial park")


def test_editing_a_retired_version_is_refused(catalogue):
    v18 = FrameworkVersion.objects.get(framework__code="VN-2018", number=1)
    c = Criterion.objects.filter(version=v18).first()
    with pytest.raises(FrozenVersionError) as exc:
        criterion_update(criterion=c, title_en="Changed")
    assert "is retired" in exc.value.messages[0]


def admin_payload(obj) -> dict:
    """The admin change form's POST data for a criterion, as a browser would send it."""
    data = {}
    for name, value in model_to_dict(obj, exclude=["id", "version"]).items():
        if isinstance(value, list):
            data[name] = json.dumps(value)
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(value)
    data["_save"] = "Save"
    return data


@pytest.fixture
def staff_ministry(catalogue):
    user = make_user("t-ministry-staff", Role.MINISTRY)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_the_admin_refuses_a_post_to_a_published_criterion(client, staff_ministry):
    client.login(username=staff_ministry.username, password=PASSWORD)
    e4 = crit(v1(), "VN35-EIP-E4")
    url = reverse("admin:indicators_criterion_change", args=[e4.pk])
    assert client.get(url).status_code == 200  # read-only view
    payload = admin_payload(e4)
    payload["threshold"] = "30"
    assert client.post(url, payload).status_code == 403
    assert crit(v1(), "VN35-EIP-E4").threshold == Decimal("20")


def test_the_admin_saves_a_draft_criterion_and_refuses_a_bad_formula(client, staff_ministry):
    draft = version_new_draft(version=v1())
    client.login(username=staff_ministry.username, password=PASSWORD)
    e4 = crit(draft, "VN35-EIP-E4")
    payload = admin_payload(e4)
    payload["threshold"] = "25"
    r = client.post(reverse("admin:indicators_criterion_change", args=[e4.pk]), payload)
    assert r.status_code == 302
    assert crit(draft, "VN35-EIP-E4").threshold == Decimal("25")

    ind = Indicator.objects.get(version=draft, code="VN35-EIP-E4")
    r = client.post(
        reverse("admin:indicators_indicator_change", args=[ind.pk]),
        {
            "code": ind.code,
            "applies_to": ind.applies_to,
            "formula": "100 * share(recp_aplied)",
            "value_type": ind.value_type,
            "unit": ind.unit,
            "_save": "Save",
        },
    )
    assert r.status_code == 200
    assert "errornote" in r.content.decode()  # the admin refused the save
    assert "recp_aplied" in r.content.decode()
    assert Indicator.objects.get(pk=ind.pk).formula == ind.formula


def test_the_admin_actions_create_a_draft_and_publish_it(client, staff_ministry):
    client.login(username=staff_ministry.username, password=PASSWORD)
    url = reverse("admin:indicators_frameworkversion_changelist")
    r = client.post(url, {"action": "make_new_draft", "_selected_action": [v1().pk]})
    assert r.status_code == 302
    draft = FrameworkVersion.objects.get(framework__code="VN-2022", number=2)
    assert draft.status == "draft"
    r = client.post(url, {"action": "publish", "_selected_action": [draft.pk]})
    assert r.status_code == 302
    assert FrameworkVersion.objects.get(pk=draft.pk).status == "published"
    assert v1().status == "retired"


def test_a_user_without_staff_status_cannot_use_the_admin(client, personas):
    client.login(username=personas.ministry.username, password=PASSWORD)
    r = client.get(reverse("admin:indicators_criterion_changelist"))
    assert r.status_code == 302 and "/admin/login/" in r["Location"]


def test_a_new_draft_copies_every_category_element_indicator_and_criterion_field(catalogue):
    source = v1()
    draft = version_new_draft(version=source)
    assert (draft.number, draft.status) == (2, "draft")
    assert (draft.title_vi, draft.title_en, draft.instruments) == (
        source.title_vi,
        source.title_en,
        source.instruments,
    )
    assert (draft.effective_from, draft.effective_to) == (None, None)  # not in force yet
    assert Criterion.objects.filter(version=draft).count() == 42
    for model in (Category, DataElement, Indicator, Criterion):
        assert (
            model.objects.filter(version=draft).count()
            == model.objects.filter(version=source).count()
        )
    old = {
        c.code: c
        for c in Criterion.objects.filter(version=source).select_related("category", "indicator")
    }
    new = {
        c.code: c
        for c in Criterion.objects.filter(version=draft).select_related("category", "indicator")
    }
    assert old.keys() == new.keys()
    for code, a in old.items():
        b = new[code]
        assert [getattr(a, f) for f in COPIED_FIELDS] == [getattr(b, f) for f in COPIED_FIELDS]
        assert b.category.version_id == draft.pk and b.category.code == a.category.code
        if a.indicator is None:
            assert b.indicator is None
        else:
            assert b.indicator.version_id == draft.pk
            assert (b.indicator.code, b.indicator.formula) == (
                a.indicator.code,
                a.indicator.formula,
            )
    e4 = new["VN35-EIP-E4"]
    assert (e4.operator, e4.threshold, e4.article) == (
        ">=",
        Decimal("20"),
        old["VN35-EIP-E4"].article,
    )
    assert version_diff(old=source, new=draft).is_empty


def test_a_second_draft_is_refused_while_one_exists(catalogue):
    version_new_draft(version=v1())
    with pytest.raises(ValidationError) as exc:
        version_new_draft(version=v1())
    assert exc.value.messages == [
        "VN-2022 v2 is already a draft: edit and publish it before creating another."
    ]
    assert FrameworkVersion.objects.filter(framework__code="VN-2022").count() == 2


def test_publishing_a_changed_threshold_retires_v1_and_the_diff_lists_only_that_criterion(
    catalogue,
):
    draft = version_new_draft(version=v1())
    criterion_update(criterion=crit(draft, "VN35-EIP-E2"), threshold=Decimal("2"))
    version_publish(version=draft)

    old, new = v1(), FrameworkVersion.objects.get(pk=draft.pk)
    assert (old.status, new.status) == ("retired", "published")
    # no date given for the new version: the old one ends the day it was retired
    assert old.effective_to == datetime.date.today()
    diff = version_diff(old=old, new=new)
    assert diff.added == [] and diff.removed == []
    assert [c.code for c in diff.changed] == ["VN35-EIP-E2"]
    (change,) = diff.changed
    assert change.field_names == ["threshold"]
    assert (change.fields[0].old, change.fields[0].new) == (Decimal("1"), Decimal("2"))
    assert (change.fields[0].old_text, change.fields[0].new_text) == ("1", "2")
    assert diff.elements_added == diff.elements_removed == diff.elements_changed == []


def test_publishing_with_an_effective_date_ends_the_previous_version_the_day_before(catalogue):
    draft = version_new_draft(version=v1())
    version_publish(version=draft, effective_from=datetime.date(2026, 1, 1))
    assert v1().effective_to == datetime.date(2025, 12, 31)
    assert FrameworkVersion.objects.get(pk=draft.pk).effective_from == datetime.date(2026, 1, 1)


def test_an_effective_date_before_the_previous_version_is_refused(catalogue):
    draft = version_new_draft(version=v1())
    with pytest.raises(ValidationError) as exc:
        version_publish(version=draft, effective_from=datetime.date(2022, 1, 1))
    assert "VN-2022 v1 took effect on 2022-07-15" in exc.value.messages[0]
    assert (v1().status, FrameworkVersion.objects.get(pk=draft.pk).status) == (
        "published",
        "draft",
    )


def test_publishing_a_draft_with_a_bad_formula_is_refused_naming_criterion_and_token(catalogue):
    draft = version_new_draft(version=v1())
    # A hand edit in the database that bypassed the checks of the edit services.
    Indicator.objects.filter(version=draft, code="VN35-EIP-E4").update(
        formula="100 * share(recp_aplied)"
    )
    with pytest.raises(ValidationError) as exc:
        version_publish(version=draft)
    assert exc.value.messages == [
        "VN-2022 v2: criterion VN35-EIP-E4 (indicator VN35-EIP-E4): "
        "unknown enterprise code 'recp_aplied'"
    ]
    assert FrameworkVersion.objects.get(pk=draft.pk).status == "draft"
    assert v1().status == "published"


def test_publishing_a_published_version_again_is_refused(catalogue):
    with pytest.raises(ValidationError) as exc:
        version_publish(version=v1())
    assert exc.value.messages == ["VN-2022 v1 is published; only a draft can be published."]


def test_a_formula_with_an_unknown_code_is_refused_and_nothing_is_saved(catalogue):
    draft = version_new_draft(version=v1())
    e2 = Indicator.objects.get(version=draft, code="VN35-EIP-E2")
    with pytest.raises(ValidationError) as exc:
        indicator_update(indicator=e2, formula="symbioses_operatin")
    assert exc.value.messages == [
        "VN-2022 v2: criterion VN35-EIP-E2 (indicator VN35-EIP-E2): "
        "unknown code 'symbioses_operatin'"
    ]
    assert Indicator.objects.get(pk=e2.pk).formula == "symbioses_operating"


def test_a_formula_of_the_wrong_type_for_its_rule_is_refused(catalogue):
    """VN35-EIP-E3 is a yes/no rule: its indicator must stay yes/no (Decree 35 Art. 37(2))."""
    draft = version_new_draft(version=v1())
    e3 = Indicator.objects.get(version=draft, code="VN35-EIP-E3")
    with pytest.raises(ValidationError) as exc:
        indicator_update(indicator=e3, formula="symbioses_operating")
    assert "VN35-EIP-E3" in exc.value.messages[0]
    assert "formula gives number, declared boolean" in exc.value.messages[0]


def test_renaming_a_data_element_that_a_formula_reads_is_refused(catalogue):
    draft = version_new_draft(version=v1())
    element = DataElement.objects.get(version=draft, code="symbioses_operating")
    with pytest.raises(ValidationError) as exc:
        data_element_update(data_element=element, code="symbioses_running")
    assert "unknown code 'symbioses_operating'" in exc.value.messages[0]
    assert DataElement.objects.get(pk=element.pk).code == "symbioses_operating"


def test_a_criterion_value_the_model_refuses_names_the_field(catalogue):
    draft = version_new_draft(version=v1())
    with pytest.raises(ValidationError) as exc:
        criterion_update(criterion=crit(draft, "VN35-EIP-E2"), operator="~")
    assert "operator" in exc.value.message_dict
    assert crit(draft, "VN35-EIP-E2").operator == ">="


def test_the_diff_names_every_kind_of_change(catalogue):
    draft = version_new_draft(version=v1())
    Criterion.objects.filter(version=draft, code="VN35-EIP-X1").delete()
    criterion_update(
        criterion=crit(draft, "VN-C05-ENV1"),
        level="mandatory",
        verification_status="verified",
        article="form A.5, ENV.1 (checked)",
    )
    indicator_update(
        indicator=Indicator.objects.get(version=draft, code="VN-C05-ENV3"),
        formula="100 * wastewater_reused_m3 / (wastewater_total_m3 + 0)",
    )
    diff = version_diff(old=v1(), new=draft)
    assert [c.code for c in diff.removed] == ["VN35-EIP-X1"]
    assert diff.added == []
    changes = {c.code: c for c in diff.changed}
    assert sorted(changes) == ["VN-C05-ENV1", "VN-C05-ENV3"]
    assert changes["VN-C05-ENV1"].field_names == ["level", "article", "verification_status"]
    level = changes["VN-C05-ENV1"].fields[0]
    assert (level.old_text, level.new_text) == ("performance", "mandatory")
    assert changes["VN-C05-ENV3"].field_names == ["indicator_formula"]
    # Reversed, the removed criterion is an added one.
    assert [c.code for c in version_diff(old=draft, new=v1()).added] == ["VN35-EIP-X1"]


def submit_park_response(client, response, data):
    payload = {"version": Response.objects.get(pk=response.pk).version, "action": "submit"}
    payload.update(data)
    return client.post(reverse("surveys:response", args=[response.pk]), payload)


def park_states(campaign, park):
    snap = ScoreSnapshot.objects.get(campaign=campaign, park=park, enterprise__isnull=True)
    return snap, dict(
        CriterionResult.objects.filter(snapshot=snap).values_list("criterion__code", "state")
    )


ANSWERS = {
    "symbioses_operating": "1",
    "symbiosis_participants_iso": "no",
    "basic_services_provided": "yes",
}


def test_a_campaign_on_version_1_keeps_its_scores_after_version_2_changes_a_threshold(
    client, personas, campaign_2025, amata_response, django_capture_on_commit_callbacks
):
    amata = personas.catalogue.amata
    client.login(username=personas.park_manager.username, password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        assert submit_park_response(client, amata_response, ANSWERS).status_code == 302
    snap_before, before = park_states(campaign_2025, amata)
    assert before["VN35-EIP-E2"] == "met"  # 1 symbiosis >= 1 (Decree 35 Art. 37(2)(b))

    draft = version_new_draft(version=v1())
    criterion_update(criterion=crit(draft, "VN35-EIP-E2"), threshold=Decimal("2"))
    version_publish(version=draft)

    # Recompute from scratch: drop the stored snapshots so the engine really runs again.
    ScoreSnapshot.objects.filter(campaign=campaign_2025).delete()
    outcome = park_recompute(campaign_id=campaign_2025.pk, park_id=amata.pk)
    assert outcome.written
    snap_after, after = park_states(campaign_2025, amata)
    assert after["VN35-EIP-E2"] == "met"
    assert after == before
    assert snap_after.framework_version_id == v1().pk
    assert (snap_after.index, snap_after.criteria_met) == (
        snap_before.index,
        snap_before.criteria_met,
    )

    # The same answer in a campaign on version 2 is judged by the new threshold: 1 < 2.
    c2 = campaign_open(
        name="Test campaign 2026",
        period=2026,
        framework_version=FrameworkVersion.objects.get(pk=draft.pk),
        **open_dates(),
        parks=[amata],
    )
    r2 = Response.objects.get(campaign=c2, park=amata, enterprise__isnull=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert submit_park_response(client, r2, ANSWERS).status_code == 302
    snap_v2, states_v2 = park_states(c2, amata)
    assert snap_v2.framework_version_id == draft.pk
    assert states_v2["VN35-EIP-E2"] == "not_met"


def test_a_draft_is_discarded_in_the_admin_but_published_rows_cannot_be_deleted(
    client, staff_ministry
):
    draft = version_new_draft(version=v1())
    client.login(username=staff_ministry.username, password=PASSWORD)
    url = reverse("admin:indicators_frameworkversion_changelist")
    r = client.post(url, {"action": "discard_draft", "_selected_action": [draft.pk, v1().pk]})
    assert r.status_code == 302
    assert not FrameworkVersion.objects.filter(pk=draft.pk).exists()
    assert not Criterion.objects.filter(version_id=draft.pk).exists()
    assert v1().status == "published"  # refused: "VN-2022 v1 is published; ..."
    r = client.post(
        reverse("admin:indicators_frameworkversion_delete", args=[v1().pk]), {"post": "yes"}
    )
    assert r.status_code == 403
    r = client.post(
        reverse("admin:indicators_criterion_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [crit(v1(), "VN35-EIP-E4").pk],
            "post": "yes",
        },
    )
    assert r.status_code == 403
    assert Criterion.objects.filter(version=v1()).count() == 42


def test_discarding_a_published_version_is_refused(catalogue):
    with pytest.raises(FrozenVersionError):
        version_discard_draft(version=v1())
    assert Criterion.objects.filter(version=v1()).count() == 42
