"""The chain is complete: ``seq`` unique and required; the anchor table; the guards back on.

Guards (any client, not only this application):
- SQLite: UPDATE and DELETE on the log and on the anchors fail unless the function that only
  this application's connections define says the test runner is emptying the database.
- PostgreSQL: UPDATE and DELETE fail for every role; TRUNCATE fails for every role, the
  table's owner included, unless the transaction set ``xinfang.audit_maintenance`` (only the
  test runner does, see audit.apps). The application's own role has no TRUNCATE, UPDATE or
  DELETE right on these tables at all (deploy/postgresql-roles.sql).
"""

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

TABLES = ("audit_auditentry", "audit_auditanchor")
SQLITE_NAMES = {
    "audit_auditentry": ("audit_no_update", "audit_no_delete"),
    "audit_auditanchor": ("audit_anchor_no_update", "audit_anchor_no_delete"),
}
PG_NAMES = {
    "audit_auditentry": ("audit_no_update", "audit_no_truncate"),
    "audit_auditanchor": ("audit_anchor_no_update", "audit_anchor_no_truncate"),
}


def _sqlite_guards():
    for table, (no_update, no_delete) in SQLITE_NAMES.items():
        for name, event in ((no_update, "UPDATE"), (no_delete, "DELETE")):
            yield (
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN xinfang_audit_maintenance() = 0 "
                "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END"
            )


def _postgres_guards():
    # audit_append_only() exists since 0002.
    yield (
        "CREATE OR REPLACE FUNCTION audit_no_truncate() RETURNS trigger AS $$ BEGIN "
        "IF current_setting('xinfang.audit_maintenance', true) = 'on' THEN RETURN NULL; END IF; "
        "RAISE EXCEPTION 'audit log is append-only'; END; $$ LANGUAGE plpgsql"
    )
    for table, (no_update, no_truncate) in PG_NAMES.items():
        yield (
            f"CREATE TRIGGER {no_update} BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        yield (
            f"CREATE TRIGGER {no_truncate} BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_no_truncate()"
        )


def _drop_statements(vendor):
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for names in SQLITE_NAMES.values() for name in names]
    if vendor == "postgresql":
        return [
            f"DROP TRIGGER IF EXISTS {name} ON {table}" for table, names in PG_NAMES.items() for name in names
        ] + ["DROP FUNCTION IF EXISTS audit_no_truncate()"]
    return []


def put_guards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": _sqlite_guards, "postgresql": _postgres_guards}.get(vendor, lambda: [])()
    for sql in statements:
        schema_editor.execute(sql)


def lift_guards(apps, schema_editor):
    for sql in _drop_statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0005_chain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="action",
            field=models.CharField(
                choices=[
                    ("login", "登录"),
                    ("login_failed", "登录失败"),
                    ("login_locked", "账户锁定"),
                    ("logout", "退出"),
                    ("access_denied", "拒绝访问"),
                    ("reveal", "查看完整信息"),
                    ("export", "导出"),
                    ("print", "打印或生成文书"),
                    ("download", "下载文件"),
                    ("account", "账户管理"),
                    ("policy", "规则与日历变更"),
                    ("wipe", "清除敏感信息"),
                    ("publication", "发布、更正或撤回通报"),
                    ("verify", "核验审计日志"),
                    ("anchor", "记录审计锚点"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="动作",
            ),
        ),
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.BigIntegerField(verbose_name="序号")),
                ("hash", models.CharField(max_length=64, verbose_name="哈希")),
                ("head_at", models.DateTimeField(verbose_name="该条记录时间")),
                (
                    "created_at",
                    models.DateTimeField(default=timezone.now, editable=False, verbose_name="记录时间"),
                ),
                ("created_by_name", models.CharField(blank=True, max_length=150, verbose_name="记录人账号")),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="记录人",
                    ),
                ),
            ],
            options={
                "verbose_name": "审计锚点",
                "verbose_name_plural": "审计锚点",
                "ordering": ["-seq", "-id"],
            },
        ),
        migrations.RunPython(put_guards, lift_guards),
    ]
