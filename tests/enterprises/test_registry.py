"""Registry: reference loading and the tax code rule (Circular 105/2020/TT-BTC Art. 5(1))."""

import pytest
from django.core.exceptions import ValidationError

from enterprises.models import Enterprise, Park, Province, Sector, normalise_tax_code
from enterprises.services import enterprise_create, reference_load

pytestmark = pytest.mark.django_db


def test_reference_loads_34_provinces_97_parks_and_is_idempotent():
    first = reference_load()
    second = reference_load()
    assert (first.provinces, first.parks) == (34, 97)
    assert (second.provinces, second.parks, second.sectors) == (34, 97, first.sectors)
    assert Sector.objects.filter(edition="VSIC2018", level=2).count() == 88


def test_amata_is_an_eco_park_pilot_in_dong_nai_with_its_source():
    reference_load()
    amata = Park.objects.get(name_vi="Khu công nghiệp Amata")
    assert amata.province.name_vi == "Đồng Nai" and amata.province.code == "75"
    assert amata.kind == Park.Kind.INDUSTRIAL_PARK
    assert amata.eip_pilot is True
    assert str(amata.area_ha) == "539.73"
    assert "openstreetmap.org" in amata.source


def test_parks_keep_the_province_before_the_2025_merger():
    reference_load()
    # Bình Dương merged into Thành phố Hồ Chí Minh on 1 July 2025 (Resolution 202/2025/QH15)
    binh_duong = Park.objects.filter(province_before_2025="Bình Dương")
    assert binh_duong.count() == 18
    assert set(binh_duong.values_list("province__name_vi", flat=True)) == {"Thành phố Hồ Chí Minh"}
    assert Park.objects.filter(kind=Park.Kind.EXPORT_PROCESSING_ZONE).count() == 1
    assert Province.objects.get(code="46").name_vi == "Huế"


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("0300588569", "0300588569"),  # Vinamilk
        ("0101248141", "0101248141"),  # FPT
        ("0314409058-002", "0314409058-002"),  # branch
        ("0314 409 058 002", "0314409058-002"),
    ],
)
def test_valid_tax_codes_are_normalised(raw, canonical):
    assert normalise_tax_code(raw) == canonical


@pytest.mark.parametrize("raw", ["0100233480", "0100000008", "0314409058-000", "12345"])
def test_invalid_tax_codes_are_refused_with_the_value_in_the_message(raw):
    with pytest.raises(ValidationError) as exc:
        normalise_tax_code(raw)
    assert raw in exc.value.messages[0]


def test_a_tax_code_can_be_registered_once():
    reference_load()
    amata = Park.objects.get(name_vi="Khu công nghiệp Amata")
    enterprise_create(name="A", tax_code="0300588569", park=amata)
    with pytest.raises(ValidationError) as exc:
        enterprise_create(name="B", tax_code="0300 588 569", park=amata)
    assert "0300588569" in exc.value.message_dict["tax_code"][0]
    assert Enterprise.objects.count() == 1


def test_a_wrong_check_digit_is_refused_by_model_validation():
    reference_load()
    amata = Park.objects.get(name_vi="Khu công nghiệp Amata")
    with pytest.raises(ValidationError) as exc:
        enterprise_create(name="B", tax_code="0100233480", park=amata)
    assert "0100233480" in exc.value.message_dict["tax_code"][0]
    assert Enterprise.objects.count() == 0


@pytest.mark.parametrize(
    ("raw", "vi", "en"),
    [
        ("0312345678", "chữ số kiểm tra không đúng", "the check digit is wrong"),
        (
            "12345",
            "độ dài không đúng: cần 10 chữ số, hoặc 13 chữ số cho chi nhánh",
            "wrong length: 10 digits are needed, or 13 for a branch",
        ),
        (
            "03123X5678",
            "chỉ được dùng chữ số (có thể ngăn cách bằng dấu cách, dấu chấm hoặc gạch nối)",
            "only digits are allowed (spaces, dots and hyphens may separate them)",
        ),
        (
            "0314409058-000",
            "các chữ số thứ 3 đến 9 không được đều là 0, và ba chữ số cuối của chi nhánh"
            " không được là 000",
            "digits 3 to 9 cannot all be 0, and a branch's last three digits cannot be 000",
        ),
    ],
)
def test_a_tax_code_is_refused_with_the_reason_in_the_active_language(raw, vi, en):
    from django.utils import translation

    for language, reason, head in [
        ("vi", vi, "không phải là mã số thuế hợp lệ"),
        ("en", en, "is not a valid Vietnamese tax code (mã số thuế)"),
    ]:
        with translation.override(language):
            with pytest.raises(ValidationError) as exc:
                normalise_tax_code(raw)
            assert exc.value.messages == [f"{raw} {head}: {reason}"]
