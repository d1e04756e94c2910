from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(sender, using="default", **kwargs):
    # A later migration that alters cases, ratings or deadlines on SQLite rebuilds the table
    # without the triggers the kept months rely on: put them back after every migrate.
    from django.db import connections

    from xinfang.figures import triggers

    triggers.ensure(connections[using])


class FiguresConfig(AppConfig):
    name = "xinfang.figures"
    label = "figures"
    verbose_name = "统计与形势分析"

    def ready(self):
        post_migrate.connect(_ensure_triggers, sender=self)
