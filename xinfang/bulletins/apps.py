from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "xinfang.bulletins"
    label = "bulletins"
    verbose_name = "通报"
