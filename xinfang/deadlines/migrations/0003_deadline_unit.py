"""CaseDeadline.unit: the case's unit, copied onto each deadline, and the indexes the figures read."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_units(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseDeadline = apps.get_model("deadlines", "CaseDeadline")
    CaseDeadline.objects.update(unit_id=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("unit_id")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("cases", "0006_figures_indexes"),
        ("deadlines", "0002_seed"),
    ]

    operations = [
        migrations.AddField(
            model_name="casedeadline",
            name="unit",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.unit"),
        ),
        migrations.RunPython(copy_units, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="casedeadline",
            name="unit",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.unit"),
        ),
        migrations.AlterField(
            model_name="casedeadline",
            name="due_on",
            field=models.DateField(verbose_name="届满日"),
        ),
        migrations.AddIndex(
            model_name="casedeadline",
            index=models.Index(fields=["due_on", "unit", "clock", "stopped_on", "stopped_by"],
                               name="casedeadline_figures"),
        ),
        migrations.AddIndex(
            model_name="casedeadline",
            index=models.Index(
                condition=models.Q(("stopped_on__isnull", True), ("stopped_on__gt", models.F("due_on")), _connector="OR"),
                fields=["due_on", "unit", "clock", "started_on", "stopped_on", "case"], name="casedeadline_late",
            ),
        ),
    ]
