from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "xinfang.imports"
    label = "imports"
    verbose_name = "导入原有台账"
