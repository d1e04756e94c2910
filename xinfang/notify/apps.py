from django.apps import AppConfig

from xinfang.core import startup


class NotifyConfig(AppConfig):
    name = "xinfang.notify"
    label = "notify"
    verbose_name = "提醒与消息"

    def ready(self):
        if not startup.plugged():  # a quick command (xinfang.core.startup)
            return
        # Accounts sits below notify and cannot import it: it tells people through this hook.
        from xinfang.accounts import alerts
        from xinfang.notify.actions import notify

        alerts.register(notify)
