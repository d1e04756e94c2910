"""How much of the platform a process plugs together at start.

Every app's ``AppConfig.ready()`` plugs it into the apps below it (``cases.hooks``, the audit
log's words, the successors of an agent, the alerts): a web worker, the tests and nearly every
command need them all, and importing them costs about a quarter of Django's start. A command
that only reads a table and prints (``xinfang deadline``, run by other systems many times a
minute) starts without them: ``xinfang.cli`` sets ``quick`` for the commands in
``QUICK_COMMANDS`` before Django starts, and the apps that plug in are ``PluggedAppConfig``s,
whose ``plug()`` runs only when ``plugged()``.
A command named here must use nothing that a hook provides.
"""

from __future__ import annotations

from django.apps import AppConfig

QUICK_COMMANDS = frozenset({"deadline"})

quick = False


def plugged() -> bool:
    """Whether the apps plug into one another in this process (all but the quick commands)."""
    return not quick


class PluggedAppConfig(AppConfig):
    """An app that plugs into the apps below it: in ``plug()``, which a quick command skips.

    An ``apps.py`` names it as ``startup.PluggedAppConfig``: with the class itself imported there,
    Django would see two configurations in the module and use neither."""

    def ready(self) -> None:
        if plugged():
            self.plug()

    def plug(self) -> None:
        raise NotImplementedError
