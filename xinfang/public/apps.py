from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "xinfang.public"
    label = "public"
    verbose_name = "信息公开与群众查询"
