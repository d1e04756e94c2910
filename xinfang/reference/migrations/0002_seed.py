from django.db import migrations


def seed(apps, schema_editor):
    from xinfang.reference.models import CONTENT_CATEGORIES, PLATFORMS

    ContentCategory = apps.get_model("reference", "ContentCategory")
    SubmissionPlatform = apps.get_model("reference", "SubmissionPlatform")
    for order, name in enumerate(CONTENT_CATEGORIES, start=1):
        ContentCategory.objects.get_or_create(name=name, defaults={"sort_order": order * 10})
    for order, (name, url) in enumerate(PLATFORMS, start=1):
        SubmissionPlatform.objects.get_or_create(name=name, defaults={"url": url, "sort_order": order * 10})


class Migration(migrations.Migration):
    dependencies = [("reference", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
