import os
import stat

from django.apps import AppConfig


def keep_sqlite_file_private(sender, connection, **kwargs) -> None:
    """The SQLite file and its -wal and -shm files are the platform's user's alone (0600), whoever
    created them (settings.py creates the main file so; the test runner and SQLite do not)."""
    if connection.vendor != "sqlite":
        return
    name = str(connection.settings_dict["NAME"])
    for path in (name, f"{name}-wal", f"{name}-shm"):
        try:
            mode = os.stat(path).st_mode
            if stat.S_IMODE(mode) & 0o077:
                os.chmod(path, 0o600)
        except OSError:
            continue  # not there (yet), in memory, or not ours


class CoreConfig(AppConfig):
    name = "xinfang.core"
    label = "core"
    verbose_name = "基础"

    def ready(self):
        from django.core import checks
        from django.db.backends.signals import connection_created

        from xinfang.core.keys import check_data_key

        checks.register(check_data_key)
        connection_created.connect(keep_sqlite_file_private, dispatch_uid="xinfang-private-sqlite")
