from django.apps import AppConfig
from django.db.backends.signals import connection_created


class AuditConfig(AppConfig):
    name = "xinfang.audit"
    label = "audit"
    verbose_name = "审计日志"

    def ready(self):
        connection_created.connect(register_sqlite_guard)


# Set only while the test runner empties the database between tests; nothing else sets it.
maintenance = False


def register_sqlite_guard(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        connection.connection.create_function("xinfang_audit_maintenance", 0, lambda: int(maintenance))
