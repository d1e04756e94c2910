from xinfang.core import startup


class CasesConfig(startup.PluggedAppConfig):
    name = "xinfang.cases"
    label = "cases"
    verbose_name = "代理事项"

    def plug(self):
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
        # The audit log names a case by its number, and reads the codes cases write.
        from xinfang.audit import words
        from xinfang.cases.models import Case, CaseStatus, FileKind, PetitionType

        words.name_rows(
            "cases.Case", lambda ids: dict(Case.objects.filter(pk__in=ids).values_list("pk", "number"))
        )
        words.add_values("status", dict(CaseStatus.choices))
        words.add_values("kind", dict(FileKind.choices))
        words.add_values("petition_types", dict(PetitionType.choices))
