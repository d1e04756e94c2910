from xinfang.core import startup


class BulletinsConfig(startup.PluggedAppConfig):
    name = "xinfang.bulletins"
    label = "bulletins"
    verbose_name = "通报"

    def plug(self):
        # The figures sit below the bulletins and never import them: the dashboard finds a
        # published month, to show its frozen figures, through this hook.
        from xinfang.bulletins.selectors import published
        from xinfang.figures import frozen

        frozen.register(published)
        # The audit log names a bulletin by its issue number.
        from xinfang.audit import words
        from xinfang.bulletins.models import Bulletin

        words.name_rows(
            "bulletins.Bulletin",
            lambda ids: dict(Bulletin.objects.filter(pk__in=ids).values_list("pk", "issue_number")),
        )
