from django.apps import AppConfig


class FiguresConfig(AppConfig):
    name = "xinfang.figures"
    label = "figures"
    verbose_name = "统计与形势分析"
