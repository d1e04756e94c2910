from django.db import migrations


def seed(apps, schema_editor):
    from xinfang.reference.models import seed_reference_data

    seed_reference_data(apps.get_model("reference", "ContentCategory"), apps.get_model("reference", "SubmissionPlatform"))


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
