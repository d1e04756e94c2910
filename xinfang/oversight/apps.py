from django.apps import AppConfig


class OversightConfig(AppConfig):
    name = "xinfang.oversight"
    label = "oversight"
    verbose_name = "风险报告与督察"
