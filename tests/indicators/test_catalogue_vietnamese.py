"""Vietnamese first, content too: every shipped criterion has its Vietnamese requirement
(a faithful rendering, shown as such and never as the official text), its legal source,
unit and notes in Vietnamese; each interface shows its own language's wording."""

from __future__ import annotations

import re

import pytest
import yaml
from django.urls import reverse
from django.utils import translation

from indicators.models import Criterion, FrameworkVersion
from indicators.services import FRAMEWORKS_DIR, frameworks_load_shipped

from .test_catalogue_pages import login, row, version_url

pytestmark = pytest.mark.usefixtures("keep_language")

E3_VI = (
    "Các doanh nghiệp tham gia hoạt động cộng sinh công nghiệp đó áp dụng hệ thống quản lý "
    "sản xuất và quản lý môi trường theo các tiêu chuẩn ISO tương ứng."
)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("path", sorted(FRAMEWORKS_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_criterion_carries_its_vietnamese_wording(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for version in data["versions"]:
        assert len(version["instruments_vi"]) == len(version["instruments"])
        for c in version["criteria"]:
            code = c["code"]
            for name in ("title_vi", "requirement_vi", "instrument_vi", "article_vi"):
                assert c[name].strip(), f"{code}: {name} is empty"
            # a rendering by ecopark, never presented as the official text
            assert c["requirement_vi_official"] is False, code
            for name in ("unit", "threshold_note", "notes"):
                assert bool(c[name]) == bool(c[f"{name}_vi"]), f"{code}: {name}_vi"
            assert "Decree" not in c["instrument_vi"] and "Art." not in c["article_vi"], code


def test_the_vietnamese_catalogue_shows_vietnamese_requirements_and_legal_sources(client, personas):
    login(client, personas.enterprise_a, "vi")
    html = client.get(version_url()).content.decode()
    e3 = row(html, "VN35-EIP-E3")
    assert E3_VI in e3
    assert "bản dịch, không phải văn bản chính thức" in e3  # shown as a rendering
    assert "Nghị định 35/2022/NĐ-CP, Điều 37 khoản 2 điểm b" in e3
    i1 = _text(row(html, "VN35-EIP-I1"))
    assert "Nghị định 35/2022/NĐ-CP, Điều 37 khoản 1, ý thứ nhất" in i1
    assert "năm (xét các năm trước)" in i1
    assert "hằng năm" in _text(row(html, "VN35-EIP-I4"))
    assert "Tiêu chí có thể có thêm của Điều 37" in row(html, "VN35-EIP-X1")
    page = _text(html)
    assert "có hiệu lực từ ngày 15/07/2022" in page
    for english in ("Decree 35/2022/ND-CP", "Art. 37", "years (look-back)", "effective 15/07"):
        assert english not in page, english
    # every criterion row has its Vietnamese requirement
    for code in Criterion.objects.filter(
        version__framework__code="VN-2022", version__number=1
    ).values_list("code", flat=True):
        assert "rendering" in row(html, code) or "bản dịch" in row(html, code), code


def test_the_english_catalogue_keeps_the_english_wording(client, personas):
    login(client, personas.enterprise_a, "en")
    html = client.get(version_url()).content.decode()
    e3 = row(html, "VN35-EIP-E3")
    assert "Decree 35/2022/ND-CP, Art. 37(2)(b)" in e3 and "Điều 37" not in e3
    assert "follow the relevant ISO standards" in e3 and "official text" not in e3
    assert "effective 15/07/2022" in _text(html)


def test_the_roadmap_drop_down_titles_criteria_in_vietnamese(client, personas):
    login(client, personas.park_manager, "vi")
    html = client.get(reverse("registers:action_new")).content.decode()
    select = re.search(r'<select name="criterion".*?</select>', html, re.S).group(0)
    assert "VN35-EIP-E2 – Ít nhất 01 cộng sinh công nghiệp" in select
    assert "At least one industrial symbiosis" not in select


def test_loading_the_frameworks_again_gives_an_older_database_the_vietnamese_wording(catalogue):
    version = FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
    Criterion.objects.filter(version=version).update(
        requirement_vi="", article_vi="", instrument_vi="", unit_vi=""
    )
    Criterion.objects.filter(version=version, code="VN35-EIP-E2").update(
        requirement_vi="Lời của cán bộ Bộ"  # edited by staff: kept
    )
    FrameworkVersion.objects.filter(pk=version.pk).update(instruments_vi=[])
    frameworks_load_shipped()
    e3 = Criterion.objects.get(version=version, code="VN35-EIP-E3")
    assert (e3.requirement_vi, e3.article_vi) == (E3_VI, "Điều 37 khoản 2 điểm b")
    assert Criterion.objects.get(version=version, code="VN35-EIP-E2").requirement_vi == (
        "Lời của cán bộ Bộ"
    )
    version.refresh_from_db()
    with translation.override("vi"):
        assert version.instruments_text[0].startswith("Nghị định 35/2022/NĐ-CP")
        assert e3.legal_source == "Nghị định 35/2022/NĐ-CP, Điều 37 khoản 2 điểm b"
    with translation.override("en"):
        assert e3.legal_source == "Decree 35/2022/ND-CP, Art. 37(2)(b)"


S14_EN = (
    "S14: a public software requirements specification that reproduces the Circular 05/2025 "
    "reporting forms A.5 (park) and B5 (enterprise); secondary source"
)
S14_VI = (
    "S14: một bản đặc tả yêu cầu phần mềm công khai có chép lại các mẫu báo cáo A.5 (khu công "
    "nghiệp) và B5 (doanh nghiệp) của Thông tư 05/2025; nguồn thứ cấp"
)


@pytest.mark.parametrize(
    ("language", "shown", "hidden"), [("vi", S14_VI, S14_EN), ("en", S14_EN, S14_VI)]
)
def test_a_criterions_source_note_shows_in_the_page_language(
    client, personas, language, shown, hidden
):
    """VN35-EIP-I5's only source is S14's note: stored in English (the API keeps it), shown
    in Vietnamese from indicators/data/source-notes.yaml; an address stays as it is."""
    assert Criterion.objects.get(version=v1_version(), code="VN35-EIP-I5").sources == [S14_EN]
    login(client, personas.enterprise_a, language)
    html = client.get(version_url()).content.decode()
    i5 = _text(row(html, "VN35-EIP-I5"))
    assert shown in i5 and hidden not in i5
    assert "lawnet.vn/thong-tin-phap-luat" in _text(row(html, "VN35-EIP-I2"))


def test_every_worded_source_note_of_the_shipped_frameworks_has_its_vietnamese():
    """A source line with words besides an address or a path (``S14: a public …``, not
    ``S27: github:owner/repo src/….md``) has an entry in
    indicators/data/source-notes.yaml, so no English note is left in the Vietnamese page."""
    from indicators.source_notes import vietnamese_notes

    worded = set()
    for path in FRAMEWORKS_DIR.glob("*.yaml"):
        for version in yaml.safe_load(path.read_text(encoding="utf-8"))["versions"]:
            for c in version["criteria"]:
                for line in c.get("sources") or []:
                    # words (a token of letters only), not only an address or a file path
                    if any(token.isalpha() for token in line.split(":", 1)[1].split()):
                        worded.add(line)
    assert worded and sorted(worded - set(vietnamese_notes())) == []
    assert S14_EN in worded


def v1_version():
    return FrameworkVersion.objects.get(framework__code="VN-2022", number=1)
