from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "xinfang.access"
    label = "access"
    verbose_name = "权限"
