"""The register models move from ``surveys`` to this app with their rows.

The tables stay where they are (``surveys_*``): this migration only tells Django's state that
the models now belong to ``registers`` (``SeparateDatabaseAndState``, no SQL), and moves their
content types (so permissions and admin history follow). The state operations are those that
created the models, ``surveys/migrations/0005_recp_symbiosis_registers.py`` (frozen, as every
applied migration is), pointed at this app and at the old tables. ``0002`` then renames the
tables to ``registers_*``; ``surveys/migrations/0008_registers_moved.py`` removes the models
from the ``surveys`` state.
"""

import copy
from importlib import import_module

from django.conf import settings
from django.db import migrations

CREATED = import_module("surveys.migrations.0005_recp_symbiosis_registers").Migration.operations
MOVED = [op.name.lower() for op in CREATED if isinstance(op, migrations.CreateModel)]


def _moved(operation):
    """``operation`` of the surveys migration, for this app: references to a moved model
    name ``registers``, and each model keeps its old table (renamed in 0002)."""
    operation = copy.deepcopy(operation)
    if isinstance(operation, migrations.CreateModel):
        operation.options["db_table"] = f"surveys_{operation.name.lower()}"
        fields = [field for _name, field in operation.fields]
    elif isinstance(operation, migrations.AddField):
        fields = [operation.field]
    else:
        fields = []
    for field in fields:
        target = getattr(field.remote_field, "model", None)
        if isinstance(target, str) and target.split(".")[-1].lower() in MOVED:
            field.remote_field.model = f"registers.{target.split('.')[-1]}"
    return operation


def move_content_types(apps, schema_editor):
    """Content types of the moved models now name ``registers`` (none exist on a new
    database; they are created after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="surveys", model__in=MOVED).update(app_label="registers")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="registers", model__in=MOVED).update(app_label="surveys")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("enterprises", "0001_initial"),
        ("indicators", "0002_emission_factors"),
        ("surveys", "0007_export_expiry"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[_moved(op) for op in CREATED]),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
