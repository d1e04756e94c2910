from django.apps import AppConfig

from xinfang.core import startup


class PrivacyConfig(AppConfig):
    name = "xinfang.privacy"
    label = "privacy"
    verbose_name = "个人信息保护"

    def ready(self):
        """The case page's 个人信息保存 card: ``xinfang.cases`` asks, never imports (``cases.hooks``)."""
        if not startup.plugged():  # a quick command (xinfang.core.startup)
            return
        from xinfang.cases import hooks
        from xinfang.privacy import selectors

        hooks.add_panel(
            hooks.Panel(
                key="privacy",
                template="privacy/_case_card.html",
                context=selectors.case_card,
                column="aside",
                order=90,
            )
        )
