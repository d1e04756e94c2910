"""A database of the version before petitioner versions (cases 0008) migrates without loss: every
case shows afterwards the particulars it showed before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from xinfang.cases.models import Case

BEFORE = ("cases", "0009_respondent_kind_seed_wording")
AFTER = ("cases", "0010_petitioner_versions_documents_several")


def _shown(case: Case) -> tuple:
    p = case.petitioner
    return (p.name, p.id_number, p.mobile, p.landline, p.address, p.work_unit)


@pytest.mark.django_db(transaction=True)
def test_earlier_cases_keep_the_values_they_show(agent_cg, agent_zj, make_case):
    cases = [make_case(agent_cg, serial=n) for n in (1, 2, 2)] + [make_case(agent_zj, serial=1)]
    shown = {case.pk: _shown(case) for case in cases}
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    executor.loader.build_graph()
    executor.migrate([AFTER])
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    for case in Case.objects.select_related("petitioner"):
        assert _shown(case) == shown[case.pk]
        assert case.petitioner.version == 1 and case.petitioner.id_kind == "resident"
        assert case.people_count == 1
