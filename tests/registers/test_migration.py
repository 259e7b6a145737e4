"""A database that holds register rows in the tables of the ``surveys`` app migrates to the
``registers`` app without losing a row: ``registers/migrations/0001_initial.py`` (state only,
content types moved), ``surveys/migrations/0008_registers_moved.py`` and
``registers/migrations/0002_tables_renamed_updated_by.py`` (tables renamed)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("surveys", "0007_export_expiry"), ("registers", None)]


def _migrate(targets):
    """Migrate to ``targets`` and return the apps as they stand there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_register_rows_survive_the_move_to_the_registers_app():
    old = _migrate(BEFORE)
    Province = old.get_model("enterprises", "Province")
    Park = old.get_model("enterprises", "Park")
    Enterprise = old.get_model("enterprises", "Enterprise")
    Criterion = old.get_model("indicators", "Criterion")
    province = Province.objects.create(code="T9", name_vi="Tỉnh thử di chuyển")
    park = Park.objects.create(
        name_vi="KCN thử di chuyển",
        name_en="Migration test park",
        kind="industrial_park",
        province=province,
    )
    a = Enterprise.objects.create(name="Công ty A", tax_code="0100109106", park=park)
    b = Enterprise.objects.create(name="Công ty B", tax_code="0101243150", park=park)
    S = {name: old.get_model("surveys", name) for name in (
        "RECPMeasure", "ISOCertificate", "CertificateNotice", "Stream", "SymbiosisExchange",
        "SymbiosisParticipant", "RoadmapAction",
    )}  # fmt: skip
    measure = S["RECPMeasure"].objects.create(
        enterprise=a, area="energy", title="LED", status="verified", year=2024,
        saving_value=Decimal("120000"), saving_unit="kWh", version=3,
    )  # fmt: skip
    certificate = S["ISOCertificate"].objects.create(
        enterprise=a, standard="iso14001", expires_on=datetime.date(2027, 1, 1)
    )
    S["CertificateNotice"].objects.create(
        certificate=certificate, expires_on=certificate.expires_on, recipients="a@example.vn"
    )
    output = S["Stream"].objects.create(enterprise=a, direction="output", category="plastic")
    exchange = S["SymbiosisExchange"].objects.create(
        park=park, kind="material", title="Nhựa A → B", status="operating",
        started_on=datetime.date(2024, 3, 1), source_output=output,
    )  # fmt: skip
    S["SymbiosisParticipant"].objects.create(
        exchange=exchange, kind="enterprise", role="provides", enterprise=a
    )
    S["SymbiosisParticipant"].objects.create(
        exchange=exchange, kind="enterprise", role="receives", enterprise=b
    )
    criterion = Criterion.objects.order_by("pk").first()
    if criterion is not None:
        S["RoadmapAction"].objects.create(
            park=park,
            criterion=criterion,
            title="Lập kế hoạch",
            target_date=datetime.date(2026, 6, 30),
        )
    measure_type = ContentType.objects.get_or_create(app_label="surveys", model="recpmeasure")[0]

    new = _migrate(_migrate_leaves())
    R = {name: new.get_model("registers", name) for name in S}
    assert R["RECPMeasure"].objects.get(pk=measure.pk).saving_value == Decimal("120000")
    assert R["RECPMeasure"].objects.get(pk=measure.pk).version == 3
    assert R["ISOCertificate"].objects.get(pk=certificate.pk).standard == "iso14001"
    assert R["CertificateNotice"].objects.get().certificate_id == certificate.pk
    moved = R["SymbiosisExchange"].objects.get(pk=exchange.pk)
    assert moved.source_output_id == output.pk
    assert sorted(moved.participants.values_list("role", flat=True)) == ["provides", "receives"]
    assert R["RoadmapAction"].objects.count() == (1 if criterion is not None else 0)
    assert R["Stream"].objects.get(pk=output.pk).updated_by_id is None
    # the tables now carry the new app's names, and the content type followed the model
    tables = connection.introspection.table_names()
    assert "registers_recpmeasure" in tables and "surveys_recpmeasure" not in tables
    moved_type = ContentType.objects.get(pk=measure_type.pk)
    assert (moved_type.app_label, moved_type.model) == ("registers", "recpmeasure")


def _migrate_leaves():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()
