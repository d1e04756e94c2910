"""Petitioners' names were plain text: encrypt them and add the keyed hash they are found by."""

from django.db import migrations, models

import xinfang.core.fields
from xinfang.core.fields import normalize_name
from xinfang.core.rotation import Column, Table, column_encryption

NAMES = Table(
    "cases.Petitioner",
    "cases_petitioner",
    "id",
    (Column("name", "cases.Petitioner.name", (("name_hash", "name", normalize_name),)),),
)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_figures_indexes'),
        ('core', '0003_data_key_check'),
    ]

    operations = [
        migrations.AddField(
            model_name='petitioner',
            name='name_hash',
            field=models.CharField(db_index=True, default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name='petitioner',
            name='name',
            field=xinfang.core.fields.EncryptedTextField(verbose_name='姓名'),
        ),
        column_encryption(NAMES),
    ]
