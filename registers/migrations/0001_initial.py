"""The register models move from ``surveys`` to this app with their rows.

The tables stay where they are (``surveys_*``): this migration only tells Django's state
that the models now belong to ``registers`` (``SeparateDatabaseAndState``, no SQL), and moves
their content types (so permissions and admin history follow). ``0002`` then renames the
tables to ``registers_*``; ``surveys/migrations/0008_registers_moved.py`` removes the models
from the ``surveys`` state.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = [
    "recpmeasure",
    "symbiosisexchange",
    "symbiosisparticipant",
    "isocertificate",
    "certificatenotice",
    "stream",
    "roadmapaction",
]


def move_content_types(apps, schema_editor):
    """Content types of the moved models now name ``registers`` (none exist on a new
    database; they are created after migrating)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="surveys", model__in=MOVED).update(
        app_label="registers"
    )


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="registers", model__in=MOVED).update(
        app_label="surveys"
    )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('enterprises', '0001_initial'),
        ('indicators', '0002_emission_factors'),
        ('surveys', '0007_export_expiry'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    state_operations = [
        migrations.CreateModel(
            name='ISOCertificate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('standard', models.CharField(choices=[('iso14001', 'ISO 14001'), ('iso50001', 'ISO 50001'), ('iso9001', 'ISO 9001'), ('iso45001', 'ISO 45001'), ('other', 'other ISO management-system standard')], max_length=10, verbose_name='standard')),
                ('other_standard', models.CharField(blank=True, max_length=60, verbose_name='other standard')),
                ('number', models.CharField(blank=True, max_length=100, verbose_name='certificate number')),
                ('issuer', models.CharField(blank=True, max_length=200, verbose_name='certification body')),
                ('issued_on', models.DateField(blank=True, null=True, verbose_name='issued on')),
                ('expires_on', models.DateField(verbose_name='expires on')),
                ('is_demo', models.BooleanField(default=False, verbose_name='demo data')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='iso_certificates', to='enterprises.enterprise', verbose_name='enterprise')),
            ],
            options={
                'db_table': 'surveys_isocertificate',
                'verbose_name': 'ISO certificate',
                'verbose_name_plural': 'ISO certificates',
                'ordering': ['enterprise', 'expires_on'],
            },
        ),
        migrations.CreateModel(
            name='CertificateNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('expires_on', models.DateField(verbose_name='expiry notified')),
                ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='sent at')),
                ('recipients', models.TextField(blank=True, verbose_name='recipients')),
                ('certificate', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='registers.isocertificate', verbose_name='certificate')),
            ],
            options={
                'db_table': 'surveys_certificatenotice',
                'verbose_name': 'certificate expiry notice',
                'verbose_name_plural': 'certificate expiry notices',
            },
        ),
        migrations.CreateModel(
            name='RECPMeasure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('area', models.CharField(choices=[('energy', 'energy'), ('water', 'water'), ('materials', 'materials'), ('chemicals', 'chemicals'), ('waste', 'waste')], max_length=12, verbose_name='area')),
                ('title', models.CharField(max_length=200, verbose_name='measure')),
                ('description', models.TextField(blank=True, verbose_name='description')),
                ('status', models.CharField(choices=[('identified', 'identified'), ('implemented', 'implemented'), ('verified', 'verified')], default='identified', max_length=12, verbose_name='status')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year implemented (or planned)')),
                ('investment_vnd', models.DecimalField(blank=True, decimal_places=0, max_digits=20, null=True, verbose_name='investment (VND)')),
                ('saving_value', models.DecimalField(blank=True, decimal_places=6, max_digits=24, null=True, verbose_name='yearly saving')),
                ('saving_unit', models.CharField(blank=True, max_length=10, verbose_name='unit of the saving')),
                ('saving_value_entered', models.CharField(blank=True, max_length=60, verbose_name='saving as entered')),
                ('saving_unit_entered', models.CharField(blank=True, max_length=10, verbose_name='unit as entered')),
                ('energy_carrier', models.CharField(blank=True, choices=[('', 'not energy'), ('electricity', 'grid electricity'), ('fuel_heat', 'fuel or heat')], default='', max_length=12, verbose_name='energy saved')),
                ('saving_money_vnd', models.DecimalField(blank=True, decimal_places=0, max_digits=20, null=True, verbose_name='yearly money saving (VND)')),
                ('ghg_reduction_tco2e', models.DecimalField(blank=True, decimal_places=4, max_digits=16, null=True, verbose_name='GHG reduction (t CO2e/year)')),
                ('ghg_note', models.CharField(blank=True, max_length=200, verbose_name='GHG note')),
                ('is_demo', models.BooleanField(default=False, verbose_name='demo data')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('emission_factor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='indicators.emissionfactor', verbose_name='emission factor used')),
                ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recp_measures', to='enterprises.enterprise', verbose_name='enterprise')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
            ],
            options={
                'db_table': 'surveys_recpmeasure',
                'verbose_name': 'RECP measure',
                'verbose_name_plural': 'RECP measures',
                'ordering': ['enterprise', '-year', 'title'],
            },
        ),
        migrations.CreateModel(
            name='RoadmapAction',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='action')),
                ('owner_name', models.CharField(blank=True, max_length=200, verbose_name='owner (name)')),
                ('target_date', models.DateField(verbose_name='target date')),
                ('expected_effect', models.TextField(blank=True, verbose_name='expected effect')),
                ('status', models.CharField(choices=[('planned', 'planned'), ('in_progress', 'in progress'), ('done', 'done'), ('cancelled', 'cancelled')], default='planned', max_length=12, verbose_name='status')),
                ('overdue_notified_for', models.DateField(blank=True, null=True, verbose_name='overdue notice sent for')),
                ('is_demo', models.BooleanField(default=False, verbose_name='demo data')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('criterion', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='indicators.criterion', verbose_name='criterion')),
                ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='roadmap_actions', to='enterprises.enterprise', verbose_name='enterprise')),
                ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='roadmap_actions', to=settings.AUTH_USER_MODEL, verbose_name='owner')),
                ('park', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='roadmap_actions', to='enterprises.park', verbose_name='park')),
            ],
            options={
                'db_table': 'surveys_roadmapaction',
                'verbose_name': 'roadmap action',
                'verbose_name_plural': 'roadmap actions',
                'ordering': ['park', 'target_date', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='Stream',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('direction', models.CharField(choices=[('output', 'output (offered)'), ('input', 'input (needed)')], max_length=6, verbose_name='direction')),
                ('category', models.CharField(choices=[('plastic', 'plastic scrap'), ('metal', 'metal scrap'), ('paper', 'paper and cardboard'), ('wood', 'wood and biomass'), ('textile', 'textile scrap'), ('glass', 'glass'), ('organic', 'organic waste'), ('sludge', 'sludge'), ('ash', 'ash and slag'), ('chemical', 'chemicals and solvents'), ('water', 'treated or surplus water'), ('heat', 'waste heat or steam'), ('other', 'other')], max_length=10, verbose_name='category')),
                ('description', models.CharField(blank=True, max_length=300, verbose_name='description')),
                ('quantity_per_year', models.DecimalField(blank=True, decimal_places=6, max_digits=24, null=True, verbose_name='quantity per year')),
                ('unit', models.CharField(blank=True, max_length=10, verbose_name='unit')),
                ('quantity_entered', models.CharField(blank=True, max_length=80, verbose_name='quantity as entered')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
                ('is_demo', models.BooleanField(default=False, verbose_name='demo data')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('enterprise', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='streams', to='enterprises.enterprise', verbose_name='enterprise')),
            ],
            options={
                'db_table': 'surveys_stream',
                'verbose_name': 'stream',
                'verbose_name_plural': 'streams',
                'ordering': ['enterprise', 'direction', 'category'],
            },
        ),
        migrations.CreateModel(
            name='SymbiosisExchange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('material', 'material or by-product'), ('waste', 'waste'), ('water', 'water'), ('energy', 'energy or heat'), ('infrastructure', 'shared infrastructure'), ('service', 'shared service')], max_length=16, verbose_name='kind')),
                ('title', models.CharField(max_length=200, verbose_name='exchange')),
                ('flow', models.CharField(blank=True, max_length=300, verbose_name='what flows')),
                ('quantity_per_year', models.DecimalField(blank=True, decimal_places=6, max_digits=24, null=True, verbose_name='quantity per year')),
                ('unit', models.CharField(blank=True, max_length=10, verbose_name='unit')),
                ('quantity_entered', models.CharField(blank=True, max_length=80, verbose_name='quantity as entered')),
                ('status', models.CharField(choices=[('proposed', 'proposed'), ('under_study', 'under study'), ('operating', 'operating'), ('ended', 'ended')], default='proposed', max_length=12, verbose_name='status')),
                ('started_on', models.DateField(blank=True, null=True, verbose_name='started on')),
                ('ended_on', models.DateField(blank=True, null=True, verbose_name='ended on')),
                ('is_demo', models.BooleanField(default=False, verbose_name='demo data')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='version')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('park', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='symbioses', to='enterprises.park', verbose_name='park')),
                ('source_input', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registers.stream', verbose_name='matched input need')),
                ('source_output', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='registers.stream', verbose_name='matched output stream')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='updated by')),
            ],
            options={
                'db_table': 'surveys_symbiosisexchange',
                'verbose_name': 'symbiosis exchange',
                'verbose_name_plural': 'symbiosis exchanges',
                'ordering': ['park', 'title'],
            },
        ),
        migrations.CreateModel(
            name='SymbiosisParticipant',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('enterprise', 'enterprise'), ('developer', 'park developer'), ('outside', 'outside party')], max_length=10, verbose_name='kind')),
                ('role', models.CharField(choices=[('provides', 'provides'), ('receives', 'receives'), ('shares', 'shares')], default='shares', max_length=10, verbose_name='role')),
                ('name', models.CharField(blank=True, max_length=200, verbose_name='name (outside party)')),
                ('enterprise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='symbiosis_roles', to='enterprises.enterprise', verbose_name='enterprise')),
                ('exchange', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='participants', to='registers.symbiosisexchange', verbose_name='exchange')),
                ('park', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enterprises.park', verbose_name='park (of the developer)')),
            ],
            options={
                'db_table': 'surveys_symbiosisparticipant',
                'verbose_name': 'symbiosis participant',
                'verbose_name_plural': 'symbiosis participants',
                'ordering': ['exchange', 'kind', 'pk'],
            },
        ),
        migrations.AddConstraint(
            model_name='isocertificate',
            constraint=models.CheckConstraint(condition=models.Q(('issued_on__isnull', True), ('expires_on__gte', models.F('issued_on')), _connector='OR'), name='iso_dates_ordered'),
        ),
        migrations.AddConstraint(
            model_name='isocertificate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('standard', 'other'), _negated=True), models.Q(('other_standard', ''), _negated=True), _connector='OR'), name='iso_other_named'),
        ),
        migrations.AddConstraint(
            model_name='certificatenotice',
            constraint=models.UniqueConstraint(fields=('certificate', 'expires_on'), name='certificate_notice_once'),
        ),
        migrations.AddConstraint(
            model_name='recpmeasure',
            constraint=models.CheckConstraint(condition=models.Q(('year__gte', 1990), ('year__lte', 2100)), name='recp_year_range'),
        ),
        migrations.AddConstraint(
            model_name='recpmeasure',
            constraint=models.CheckConstraint(condition=models.Q(('investment_vnd__isnull', True), ('investment_vnd__gte', 0), _connector='OR'), name='recp_investment_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='recpmeasure',
            constraint=models.CheckConstraint(condition=models.Q(('saving_money_vnd__isnull', True), ('saving_money_vnd__gte', 0), _connector='OR'), name='recp_money_saving_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='recpmeasure',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('saving_value__isnull', True), ('saving_unit', '')), models.Q(('saving_value__gte', 0), ('saving_unit__in', ['kWh', 'm³', 't'])), _connector='OR'), name='recp_saving_canonical_unit'),
        ),
        migrations.AddConstraint(
            model_name='stream',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_per_year__isnull', True), ('quantity_per_year__gte', 0), _connector='OR'), name='stream_quantity_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='symbiosisexchange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status__in', ['operating', 'ended']), _negated=True), ('started_on__isnull', False), _connector='OR'), name='symbiosis_operating_has_start'),
        ),
        migrations.AddConstraint(
            model_name='symbiosisexchange',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('status', 'ended'), _negated=True), ('ended_on__isnull', False), _connector='OR'), name='symbiosis_ended_has_end'),
        ),
        migrations.AddConstraint(
            model_name='symbiosisexchange',
            constraint=models.CheckConstraint(condition=models.Q(('ended_on__isnull', True), ('started_on__isnull', True), ('ended_on__gte', models.F('started_on')), _connector='OR'), name='symbiosis_dates_ordered'),
        ),
        migrations.AddConstraint(
            model_name='symbiosisexchange',
            constraint=models.CheckConstraint(condition=models.Q(('quantity_per_year__isnull', True), ('quantity_per_year__gte', 0), _connector='OR'), name='symbiosis_quantity_not_negative'),
        ),
        migrations.AddConstraint(
            model_name='symbiosisparticipant',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('enterprise__isnull', False), ('kind', 'enterprise'), ('park__isnull', True)), models.Q(('enterprise__isnull', True), ('kind', 'developer'), ('park__isnull', False)), models.Q(('enterprise__isnull', True), ('kind', 'outside'), ('park__isnull', True), models.Q(('name', ''), _negated=True)), _connector='OR'), name='participant_shape'),
        ),
        migrations.AddConstraint(
            model_name='symbiosisparticipant',
            constraint=models.UniqueConstraint(condition=models.Q(('enterprise__isnull', False)), fields=('exchange', 'enterprise'), name='participant_enterprise_once'),
        ),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=state_operations),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
