"""Chain the audit log: every row gets ``seq``, ``prev_hash`` and ``hash`` (see audit/chain.py).

The rows already there are chained in the order they were written (by id). The guards of
0002 are lifted while that happens and put back, stronger, by 0006.
"""

from django.db import migrations, models
from django.utils import timezone

from xinfang.audit import chain

OLD_GUARDS = {
    "sqlite": [
        "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditentry WHEN xinfang_audit_maintenance() = 0 "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
        "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditentry WHEN xinfang_audit_maintenance() = 0 "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ],
    "postgresql": [
        "CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_auditentry "
        "FOR EACH ROW EXECUTE FUNCTION audit_append_only()",
    ],
}
DROP_OLD_GUARDS = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_no_update", "DROP TRIGGER IF EXISTS audit_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_no_update ON audit_auditentry"],
}
BATCH = 2000


def _run(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def lift_guards(apps, schema_editor):
    _run(schema_editor, DROP_OLD_GUARDS)


def restore_guards(apps, schema_editor):
    _run(schema_editor, OLD_GUARDS)


def chain_existing(apps, schema_editor):
    """Rows in id order get seq 1, 2, 3… and their hashes, in batches (a county's log may be long)."""
    Entry = apps.get_model("audit", "AuditEntry")
    columns = ("id", *(name for name in chain.FIELDS if name not in ("seq", "prev_hash")))
    seq, prev, last_id = 0, chain.GENESIS, 0
    while True:
        rows = list(Entry.objects.filter(id__gt=last_id).order_by("id").values_list(*columns)[:BATCH])
        if not rows:
            break
        changed = []
        for pk, *fields in rows:
            seq += 1
            hashed = (seq, *fields, prev)
            digest = chain.digest(*hashed)
            changed.append(Entry(id=pk, seq=seq, prev_hash=prev, hash=digest))
            prev = digest
        Entry.objects.bulk_update(changed, ["seq", "prev_hash", "hash"])
        last_id = rows[-1][0]


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_action_publication")]

    operations = [
        migrations.RunPython(lift_guards, restore_guards),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=timezone.now, editable=False, verbose_name="时间"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="前一条哈希"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="哈希"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
