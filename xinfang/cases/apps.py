from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    label = "cases"
    verbose_name = "代理事项"

    def ready(self):
        # The step registry declares each step's row of the capability table.
        from xinfang.cases import steps  # noqa: F401
