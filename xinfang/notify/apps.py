from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "xinfang.notify"
    label = "notify"
    verbose_name = "提醒与消息"
