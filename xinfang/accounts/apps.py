from xinfang.core import startup


class AccountsConfig(startup.PluggedAppConfig):
    name = "xinfang.accounts"
    label = "accounts"
    verbose_name = "单位与账户"

    def plug(self):
        """The audit log names accounts and units, and reads the codes accounts write."""
        from xinfang.accounts.models import AgentReportReason, Unit, UnitKind, User
        from xinfang.audit import words

        def accounts(ids):
            rows = User.objects.filter(pk__in=ids).values_list("pk", "username", "full_name")
            return {pk: f"{username}（{name}）" if name else username for pk, username, name in rows}

        words.name_rows("accounts.User", accounts)
        words.name_rows(
            "accounts.Unit", lambda ids: dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))
        )
        words.add_values("kind", dict(UnitKind.choices))
        words.add_values("reason", dict(AgentReportReason.choices))
