from django.db.backends.signals import connection_created

from xinfang.core import startup


class AuditConfig(startup.PluggedAppConfig):
    name = "xinfang.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        connection_created.connect(register_guard_hooks)  # the log's guards hold in every process
        super().ready()

    def plug(self):
        from xinfang.access.rules import refused

        refused.connect(log_refusal, dispatch_uid="xinfang-audit-refusal")


def log_refusal(sender, *, user, code, target_type, target_id, request=None, **kwargs):
    """Every refusal of the capability table is one row of the audit log (拒绝访问)."""
    from xinfang.audit.actions import record
    from xinfang.audit.models import AuditAction

    by = user if getattr(user, "is_authenticated", False) else None
    record(
        AuditAction.ACCESS_DENIED,
        by=by,
        request=request,
        target_type=target_type,
        target_id=target_id,
        capability=code,
    )


# Set only while the test runner empties the database between tests; nothing else sets it.
maintenance = False


def register_guard_hooks(sender, connection, **kwargs):
    """What lets the test runner's flush through the database guards (migrations 0002, 0006).

    SQLite: the triggers call a function that only this application's connections define.
    PostgreSQL: the TRUNCATE trigger gives way to a transaction-local setting, set here just
    before a TRUNCATE while ``maintenance`` is on. The application's role cannot TRUNCATE the
    audit tables in any case (deploy/postgresql-roles.sql).
    """
    if connection.vendor == "sqlite":
        connection.connection.create_function("xinfang_audit_maintenance", 0, lambda: int(maintenance))
    elif connection.vendor == "postgresql" and _flush_through not in connection.execute_wrappers:
        connection.execute_wrappers.append(_flush_through)


def _flush_through(execute, sql, params, many, context):
    if maintenance and sql.startswith("TRUNCATE"):
        execute("SELECT set_config('xinfang.audit_maintenance', 'on', true)", None, False, context)
    return execute(sql, params, many, context)
