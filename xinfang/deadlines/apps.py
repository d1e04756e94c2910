from xinfang.core import startup


class DeadlinesConfig(startup.PluggedAppConfig):
    name = "xinfang.deadlines"
    label = "deadlines"
    verbose_name = "法定期限与工作日历"

    def plug(self):
        """Plug the clocks into a case's life: ``xinfang.cases`` asks, never imports (``cases.hooks``)."""
        from xinfang.cases import hooks
        from xinfang.deadlines import actions, archive, past, selectors

        hooks.on_step("deadlines", actions.after_step)
        hooks.on_history("deadlines", past.after_history)
        hooks.add_panel(
            hooks.Panel(
                key="deadlines",
                template="deadlines/_case_panel.html",
                context=selectors.case_panel,
                column="aside",
                order=10,
                prefetch_related=(selectors.CASE_DEADLINES,),
            )
        )
        hooks.provide_clocks(selectors.CaseClocks())
        archive.register()  # the ledger's 超期期限, the case file's 法定期限
        # Accounts sits below and cannot import the calendar: the agents' 5-workday reports
        # (accounts.agent_reports) count workdays with this.
        from xinfang.accounts import agent_reports

        # The audit log names a clock, by its id or its code.
        from xinfang.audit import words
        from xinfang.deadlines import calendar
        from xinfang.deadlines.compute import WORKDAYS, due_date
        from xinfang.deadlines.models import Clock

        words.name_rows(
            "deadlines.Clock", lambda ids: dict(Clock.objects.filter(pk__in=ids).values_list("pk", "name"))
        )
        words.name_rows(
            "deadlines.Clock.code",
            lambda codes: dict(Clock.objects.filter(code__in=codes).values_list("code", "name")),
        )
        agent_reports.use_calendar(lambda start, days: due_date(start, days, WORKDAYS, calendar.load()))
