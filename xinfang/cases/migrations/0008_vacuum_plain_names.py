"""On SQLite, rewrite the database file so the plain names the encryption replaced are not left
in free pages or in the write-ahead log (a stolen file or backup would show them)."""

from django.db import migrations


def vacuum(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cases_petitioner")
        (people,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM oversight_riskreport")
        (reports,) = cursor.fetchone()
        if people or reports:
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cases', '0007_encrypt_petitioner_names'),
        ('oversight', '0002_encrypt_petitioner_names'),
    ]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop, atomic=False)]
