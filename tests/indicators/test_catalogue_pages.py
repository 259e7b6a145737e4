"""The read-only catalogue pages for every role, in Vietnamese and English, and
the ministry's buttons to create, edit and publish a draft."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from indicators.forms import CriterionForm
from indicators.models import Criterion, FrameworkVersion
from indicators.services import version_new_draft

from ..conftest import PASSWORD

pytestmark = pytest.mark.django_db

E4_VI = "≥20% DN áp dụng RECP"
E4_EN = "At least 20% of enterprises apply RECP with demonstrated savings"


def login(client, user, language="vi"):
    client.login(username=user.username, password=PASSWORD)
    client.post(reverse("set_language"), {"language": language, "next": "/"})


def version_url(number=1, code="VN-2022"):
    return reverse("indicators:version", args=[code, number])


def row(html: str, code: str) -> str:
    """The table row of one criterion (``<tr data-code="...">`` up to its ``</tr>``)."""
    match = re.search(rf'<tr data-code="{re.escape(code)}">(.*?)</tr>', html, re.S)
    assert match, f"no row for {code}"
    return match.group(1)


def v1():
    return FrameworkVersion.objects.get(framework__code="VN-2022", number=1)


@pytest.mark.parametrize("who", ["ministry", "board", "park_manager", "enterprise_a"])
def test_every_role_reads_the_frameworks_and_the_version_page(client, personas, who):
    login(client, getattr(personas, who), "en")
    page = client.get(reverse("indicators:frameworks"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-code="VN-2022"' in html and 'data-code="VN-2018"' in html
    version = client.get(version_url())
    assert version.status_code == 200
    assert version.content.decode().count('<tr data-code="VN') == 42


def test_the_catalogue_needs_a_login(client, catalogue):
    r = client.get(reverse("indicators:frameworks"))
    assert r.status_code == 302 and r["Location"].startswith(reverse("login"))


def test_the_version_page_in_vietnamese_shows_vietnamese_titles(client, personas):
    login(client, personas.board, "vi")
    html = client.get(version_url()).content.decode()
    assert E4_VI in row(html, "VN35-EIP-E4")
    assert E4_EN not in html
    # the placeholder has its Vietnamese title too
    assert "Tiêu chí có thể có thêm của Điều 37 (giữ chỗ, chưa xác minh)" in row(
        html, "VN35-EIP-X1"
    )


def test_the_version_page_in_english_shows_english_titles(client, personas):
    login(client, personas.board, "en")
    html = client.get(version_url()).content.decode()
    assert E4_EN in row(html, "VN35-EIP-E4")
    assert E4_VI not in html


def test_rows_show_rule_threshold_unit_legal_source_and_verification_badges(client, personas):
    login(client, personas.park_manager, "en")
    html = client.get(version_url()).content.decode()
    e4 = row(html, "VN35-EIP-E4")
    assert "≥ 20 %" in e4
    assert "Decree 35/2022/ND-CP, Art. 37(2) (point c by order; lettering inferred)" in e4
    assert "not confirmed as law" not in e4  # a verified row carries no warning
    env1 = row(html, "VN-C05-ENV1")
    assert "secondary source — not confirmed as law" in env1
    assert "no threshold set" in env1
    x1 = row(html, "VN35-EIP-X1")
    assert "unverified — not confirmed as law" in x1
    assert "no testable rule" in x1
    assert "Placeholder; do not use as a criterion until verified." in x1
    env3 = row(html, "VN-C05-ENV3")
    assert "no threshold set" in env3 and "No threshold found." in env3
    e2 = row(html, "VN35-EIP-E2")
    assert "≥ 1" in e2 and "industrial symbioses" in e2
    assert 'href="https://danluatold.thuvienphapluat.vn/' in e2  # sources are links


def test_the_version_page_lists_data_elements_and_indicator_formulas(client, personas):
    login(client, personas.enterprise_a, "en")
    html = client.get(version_url()).content.decode()
    element = row(html, "wastewater_total_m3")
    assert "Industrial wastewater generated in the park in the year" in element
    assert "m³" in element or "m3" in element
    formulas = html[html.index('id="indicators-table"') :]
    assert (
        "100 * share((cleaner_production_applied or resource_efficiency_applied) "
        "and recp_savings_demonstrated)"
    ) in formulas


def test_the_framework_page_lists_versions_with_status_dates_and_instruments(client, personas):
    login(client, personas.board, "en")
    html = client.get(reverse("indicators:framework", args=["VN-2022"])).content.decode()
    assert "version-published" in html
    assert "Decree 35/2022/ND-CP of 28/05/2022, effective 15/07/2022" in html
    assert ">42<" in html  # criteria in version 1
    html18 = client.get(reverse("indicators:framework", args=["VN-2018"])).content.decode()
    assert "version-retired" in html18


def test_only_ministry_staff_see_the_buttons(client, personas):
    login(client, personas.ministry, "en")
    assert "New draft version" in client.get(version_url()).content.decode()
    client.logout()
    login(client, personas.board, "en")
    html = client.get(version_url()).content.decode()
    assert "New draft version" not in html and "Publish" not in html


def test_a_draft_is_hidden_from_everyone_but_ministry_staff(client, personas):
    version_new_draft(version=v1())
    login(client, personas.board, "en")
    assert client.get(version_url(2)).status_code == 404
    login(client, personas.ministry, "en")
    assert client.get(version_url(2)).status_code == 200


def test_a_non_ministry_post_to_publish_or_copy_is_refused(client, personas):
    draft = version_new_draft(version=v1())
    for who in (personas.board, personas.park_manager, personas.enterprise_a):
        client.logout()
        login(client, who, "en")
        publish = client.post(reverse("indicators:version_publish", args=["VN-2022", 2]))
        assert publish.status_code == 404  # the draft is not theirs to see
        copy = client.post(reverse("indicators:version_new_draft", args=["VN-2022", 1]))
        assert copy.status_code == 403
        edit = client.get(reverse("indicators:criterion_edit", args=["VN-2022", 2, "VN35-EIP-E2"]))
        assert edit.status_code == 404
    assert FrameworkVersion.objects.get(pk=draft.pk).status == "draft"
    assert v1().status == "published"
    assert FrameworkVersion.objects.filter(framework__code="VN-2022").count() == 2


def test_publishing_needs_a_post(client, personas):
    version_new_draft(version=v1())
    login(client, personas.ministry, "en")
    assert client.get(reverse("indicators:version_publish", args=["VN-2022", 2])).status_code == 405


def criterion_form_data(criterion, **changes):
    """The edit form's data as the page shows ``criterion`` (the unticked checkbox
    ``requirement_vi_official`` left out), with ``changes``."""
    fields = [f for f in CriterionForm.Meta.fields if f != "requirement_vi_official"]
    data = {}
    for name in fields:
        value = getattr(criterion, name)
        data[name] = "" if value is None else str(value)
    data.update(changes)
    return data


def test_ministry_copies_edits_publishes_and_compares_from_the_pages(client, personas):
    login(client, personas.ministry, "en")
    r = client.post(reverse("indicators:version_new_draft", args=["VN-2022", 1]))
    assert r.status_code == 302 and r["Location"] == version_url(2)
    draft = FrameworkVersion.objects.get(framework__code="VN-2022", number=2)
    e2 = Criterion.objects.get(version=draft, code="VN35-EIP-E2")

    edit_url = reverse("indicators:criterion_edit", args=["VN-2022", 2, "VN35-EIP-E2"])
    bad = client.post(edit_url, criterion_form_data(e2, threshold="hai"))
    assert bad.status_code == 400
    assert 'value="hai"' in bad.content.decode()  # what was typed is kept
    r = client.post(edit_url, criterion_form_data(e2, threshold="2"))
    assert r.status_code == 302
    assert Criterion.objects.get(pk=e2.pk).threshold == Decimal("2")

    r = client.post(reverse("indicators:version_publish", args=["VN-2022", 2]))
    assert r.status_code == 302
    assert FrameworkVersion.objects.get(pk=draft.pk).status == "published"
    assert v1().status == "retired"
    # A published version can no longer be edited from the page either.
    assert client.get(edit_url).status_code == 403

    diff = client.get(reverse("indicators:diff", args=["VN-2022"]), {"from": 1, "to": 2})
    assert diff.status_code == 200
    html = diff.content.decode()
    changed = re.findall(r'<tr data-code="([^"]+)" data-field="([^"]+)">', html)
    assert changed == [("VN35-EIP-E2", "threshold")]
    e2_row = html[html.index('data-field="threshold"') :]
    assert '<td class="old">1</td>' in e2_row and '<td class="new">2</td>' in e2_row


def test_publishing_from_the_page_shows_the_formula_error(client, personas):
    draft = version_new_draft(version=v1())
    from indicators.models import Indicator

    Indicator.objects.filter(version=draft, code="VN35-EIP-E4").update(
        formula="100 * share(recp_aplied)"
    )
    login(client, personas.ministry, "en")
    r = client.post(reverse("indicators:version_publish", args=["VN-2022", 2]), follow=True)
    html = r.content.decode()
    assert "VN-2022 v2 was not published" in html
    assert "criterion VN35-EIP-E4" in html and "recp_aplied" in html
    assert FrameworkVersion.objects.get(pk=draft.pk).status == "draft"


def test_the_diff_page_refuses_an_unknown_version(client, personas):
    login(client, personas.board, "en")
    r = client.get(reverse("indicators:diff", args=["VN-2022"]), {"from": 1, "to": 99})
    assert r.status_code == 400
    r = client.get(reverse("indicators:diff", args=["VN-2022"]), {"from": 1, "to": 1})
    assert r.status_code == 200
    assert "The two versions have the same criteria and data elements." in r.content.decode()


def test_the_version_page_uses_a_constant_number_of_queries(
    client, personas, django_assert_max_num_queries
):
    login(client, personas.board, "en")
    with django_assert_max_num_queries(12):
        assert client.get(version_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("indicators:frameworks")).status_code == 200


def test_ministry_discards_a_draft_and_others_cannot(client, personas):
    draft = version_new_draft(version=v1())
    url = reverse("indicators:version_discard", args=["VN-2022", 2])
    login(client, personas.board, "en")
    assert client.post(url).status_code == 404
    assert FrameworkVersion.objects.filter(pk=draft.pk).exists()
    client.logout()
    login(client, personas.ministry, "en")
    r = client.post(url)
    assert r.status_code == 302 and r["Location"] == reverse(
        "indicators:framework", args=["VN-2022"]
    )
    assert not FrameworkVersion.objects.filter(pk=draft.pk).exists()
    assert (
        client.post(reverse("indicators:version_discard", args=["VN-2022", 1])).status_code == 302
    )
    assert v1().status == "published"  # refused with a message, nothing deleted
