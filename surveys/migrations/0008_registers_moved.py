"""The register models now belong to the ``registers`` app (``registers/migrations/
0001_initial.py``); this removes them from the ``surveys`` state only. No SQL: the tables and
their rows stay, owned by ``registers``."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("surveys", "0007_export_expiry"),
        ("registers", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CertificateNotice"),
                migrations.DeleteModel(name="SymbiosisParticipant"),
                migrations.DeleteModel(name="SymbiosisExchange"),
                migrations.DeleteModel(name="Stream"),
                migrations.DeleteModel(name="ISOCertificate"),
                migrations.DeleteModel(name="RECPMeasure"),
                migrations.DeleteModel(name="RoadmapAction"),
            ]
        )
    ]
