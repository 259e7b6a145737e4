"""Evidence files are listed in every export (CSV and XLSX, long and wide) and in the API's
response detail: name, type, size, who uploaded it and when, and a download address that
answers only those allowed."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from surveys.models import Answer

from .test_evidence import PDF, compliant, login, media, response_a, upload  # noqa: F401
from .test_exports import xlsx_download

pytestmark = pytest.mark.usefixtures("keep_language")


@pytest.fixture
def with_file(personas, response_a, compliant, media):  # noqa: F811
    Answer.objects.create(response=response_a, data_element=compliant, value_bool=True)
    return upload(response_a, compliant, "Giấy phép môi trường.pdf", PDF, personas.enterprise_a)


def _export(client, campaign, shape, fmt):
    url, query = (
        reverse("surveys:excel_export", args=[campaign.pk]),
        {"shape": shape, "format": fmt},
    )
    r = client.get(url, query) if fmt == "csv" else xlsx_download(client, url, query)
    assert r.status_code == 200, r.status_code
    return b"".join(r.streaming_content) if r.streaming else r.content


@pytest.mark.parametrize("shape", ["long", "wide"])
def test_the_csv_and_xlsx_exports_list_the_evidence_files(client, personas, with_file, shape):
    campaign = with_file.response.campaign
    login(client, personas.park_manager)
    link = reverse("surveys:evidence_download", args=[with_file.pk])
    rows = list(
        csv.reader(io.StringIO(_export(client, campaign, shape, "csv").decode("utf-8-sig")))
    )
    column = rows[0].index("evidence")
    cells = [r[column] for r in rows[1:] if r[column]]
    assert len(cells) == 1
    text = cells[0]
    assert "Giấy phép môi trường.pdf" in text and "PDF" in text and link in text
    assert "t-ent-a" in text  # who uploaded it
    if shape == "long":
        row = next(r for r in rows[1:] if r[column])
        assert row[5] == "compliant"  # beside the answer it proves
    book = openpyxl.load_workbook(io.BytesIO(_export(client, campaign, shape, "xlsx")))
    values = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert any(isinstance(v, str) and link in v and "Giấy phép" in v for v in values)


def test_the_api_response_detail_lists_the_evidence(personas, with_file):
    api = APIClient()
    api.force_authenticate(personas.park_manager)
    body = api.get(f"/api/v1/responses/{with_file.response_id}/").json()
    (item,) = body["evidence"]
    assert (item["data_element"], item["name"], item["type"], item["size"]) == (
        "compliant",
        "Giấy phép môi trường.pdf",
        "pdf",
        len(PDF),
    )
    assert item["uploaded_by"] == "t-ent-a" and item["uploaded_at"]
    assert item["download"].endswith(reverse("surveys:evidence_download", args=[with_file.pk]))
    # the address answers those allowed, and no one else
    browser = Client()
    browser.force_login(personas.enterprise_b)
    assert browser.get(item["download"]).status_code == 404
    browser.force_login(personas.park_manager)
    assert browser.get(item["download"]).status_code == 200
