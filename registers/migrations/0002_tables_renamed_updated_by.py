"""The moved tables take this app's names (``registers_*``), and every register entry now
records its last writer (``updated_by``, from ``registers.models.RegisterEntry``), as the
measures and exchanges already did."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


TABLES = [
    "certificatenotice",
    "isocertificate",
    "recpmeasure",
    "roadmapaction",
    "stream",
    "symbiosisexchange",
    "symbiosisparticipant",
]


def _updated_by():
    return models.ForeignKey(
        blank=True,
        null=True,
        on_delete=django.db.models.deletion.SET_NULL,
        related_name="+",
        to=settings.AUTH_USER_MODEL,
        verbose_name="updated by",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registers", "0001_initial"),
        ("surveys", "0008_registers_moved"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        *[
            migrations.AddField(model_name=name, name="updated_by", field=_updated_by())
            for name in ("isocertificate", "roadmapaction", "stream")
        ],
        *[migrations.AlterModelTable(name=name, table=None) for name in TABLES],
    ]
