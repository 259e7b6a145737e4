"""The Excel import finds its data sheet by its name or its header (a sheet added before it is
no reason to refuse the file), and uploading a file that changes nothing, such as the same
file twice, succeeds and says so instead of calling it outdated."""

from __future__ import annotations

import pytest

from surveys.models import Answer

from .test_excel_import import (
    answers_of,
    download_template,
    login,
    response_of,
    upload,
    xl,  # noqa: F401 (fixture)
    xlsx_bytes,
)

pytestmark = pytest.mark.usefixtures("keep_language")


def test_a_sheet_added_before_the_data_sheet_is_skipped(client, personas, xl):  # noqa: F811
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    notes = wb.create_sheet("Ghi chú của KCN", 0)  # the park's own notes, first
    notes["A1"] = "Checked by the environment office on 3 March"
    data = wb["Data"]
    data["C3"], data["E3"] = "Yes", 100
    r = upload(client, xl, amata, xlsx_bytes(wb), number_format="en")
    assert r.status_code == 302, r.content.decode()[:3000]
    assert answers_of(xl, personas.ent_a) == {"e_recp": True, "e_water": 100}


def test_uploading_the_same_file_twice_succeeds_and_says_nothing_changed(client, personas, xl):  # noqa: F811
    login(client, personas.park_manager, "en")
    amata = personas.catalogue.amata
    wb = download_template(client, xl, amata)
    wb["Data"]["C3"], wb["Data"]["E3"] = "Yes", 100
    content = xlsx_bytes(wb)
    assert upload(client, xl, amata, content, number_format="en").status_code == 302
    version = response_of(xl, personas.ent_a).version
    again = upload(client, xl, amata, content, number_format="en")
    assert again.status_code == 302
    page = client.get(again["Location"]).content.decode()
    assert "nothing to change" in page.lower()
    assert "outdated" not in page.lower() and "saved since this file was made" not in page
    assert response_of(xl, personas.ent_a).version == version  # nothing written
    assert Answer.objects.filter(response=response_of(xl, personas.ent_a)).count() == 2
