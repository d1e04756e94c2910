from xinfang.core import startup


class NotifyConfig(startup.PluggedAppConfig):
    name = "xinfang.notify"
    label = "notify"
    verbose_name = "提醒与消息"

    def plug(self):
        # Accounts sits below notify and cannot import it: it tells people through this hook.
        from xinfang.accounts import alerts
        from xinfang.notify.actions import notify

        alerts.register(notify)
