from xinfang.core import startup


class RatingsConfig(startup.PluggedAppConfig):
    name = "xinfang.ratings"
    label = "ratings"
    verbose_name = "评价与反馈"

    def plug(self):
        """The case page's 评价与反馈 card, the ledger's columns and the case file's 反馈表:
        ``xinfang.cases`` asks, never imports (``cases.hooks``)."""
        from xinfang.cases import hooks
        from xinfang.ratings import archive, selectors

        hooks.add_panel(
            hooks.Panel(
                key="ratings",
                template="ratings/_case_card.html",
                context=selectors.panel_for,
                column="main",
                order=10,
                select_related=selectors.CASE_RELATIONS,
            )
        )
        archive.register()
