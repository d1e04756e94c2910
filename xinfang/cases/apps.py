from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "xinfang.cases"
    label = "cases"
    verbose_name = "代理事项"

    def ready(self):
        # The step registry declares each step's row of the capability table.
        # Accounts asks, before an agent stops working cases, where the open ones go.
        from xinfang.accounts import successors
        from xinfang.cases import (
            actions_people,
            steps,  # noqa: F401
        )

        successors.register(
            count=lambda user: len(actions_people.open_cases_of(user)), move=actions_people.hand_over_all
        )
