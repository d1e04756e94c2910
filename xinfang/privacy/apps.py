from xinfang.core import startup


class PrivacyConfig(startup.PluggedAppConfig):
    name = "xinfang.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def plug(self):
        """The case page's 个人信息保存 card: ``xinfang.cases`` asks, never imports (``cases.hooks``)."""
        from xinfang.cases import hooks
        from xinfang.deadlines.selectors import CASE_DEADLINES
        from xinfang.privacy import selectors

        hooks.add_panel(
            hooks.Panel(
                key="privacy",
                template="privacy/_case_card.html",
                context=selectors.case_card,
                column="aside",
                order=90,
                # Its windows and erasures from the lists the page reads anyway.
                prefetch_related=(CASE_DEADLINES,),
            )
        )
