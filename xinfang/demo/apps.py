from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data for 镇坪县 (``xinfang demo``): the top layer, it may use every app."""

    name = "xinfang.demo"
    label = "demo"
    verbose_name = "演示数据"
