"""The petitioner's name on a risk report was plain text: encrypt it, with its keyed hash."""

from django.db import migrations, models

import xinfang.core.fields
from xinfang.core.fields import normalize_name
from xinfang.core.rotation import Column, Table, column_encryption

NAMES = Table(
    "oversight.RiskReport",
    "oversight_riskreport",
    "id",
    (
        Column(
            "petitioner_name",
            "oversight.RiskReport.petitioner_name",
            (("petitioner_name_hash", "name", normalize_name),),
        ),
    ),
)


class Migration(migrations.Migration):

    dependencies = [
        ('oversight', '0001_initial'),
        ('core', '0003_data_key_check'),
    ]

    operations = [
        migrations.AddField(
            model_name='riskreport',
            name='petitioner_name_hash',
            field=models.CharField(blank=True, db_index=True, default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='riskreport',
            name='petitioner_name',
            field=xinfang.core.fields.EncryptedTextField(blank=True, verbose_name='信访人'),
        ),
        column_encryption(NAMES),
    ]
