"""Demo data for a first look at the platform: ``xinfang demo`` (run by ``make run``).

Every person here is invented: the petitioners' names are 某-style, their ID numbers and
mobiles are made up (with valid check digits so the forms accept them). The only real
names are the two agents the county notice itself names for the 县信访接待中心
(涂元明、卢艺, seed 一). Cases are built with the real actions (open, scope, refer,
authorize, attach, submit, then 转送、收到、受理、延期、办结、送达、复查、复核、撤回 and
跟踪督办), so they carry the same events, encryption, numbering and statutory clocks as
cases typed in by hand; only the dates are chosen, spread over the last six months.

There is a case in every status. A few are placed by their running clock rather than by
age: some have passed it (转送 not done in 15 days, 受理告知 not given in 15 days, 办结 not
done in 60 days) and some fall due within three workdays; several live cases have a
follow-up planned for today, so the worklist is not empty.

The control room has something to show too: a few units with a monthly target of 2, channel
tallies of the last three months for every unit (the county's online share around half), risk
reports (an urgent one not yet acknowledged, so bureau staff see the red banner; one dealt
with; a 信访动态), and inspections (one rectification due within days, one rectified, one
with nothing found).

The data is the same on every run (``random.Random(SEED)``), relative to today's date and
the official calendar. ``build()`` creates it once; ``state()`` tells whether it is there already.
"""

# The package is an installed app: it is imported before the models are ready, so its names
# are looked up in the modules that define them only when first asked for (PEP 562).
_HOMES = {
    "builder": ("CASES", "STATUSES", "MissingReferenceData", "build", "state", "status_labels"),
    "documents": ("pdf", "png"),
    "people": (
        "ACCOUNTS",
        "DEMO_PASSWORD",
        "LOGIN_URL",
        "PERSONS",
        "UNITS",
        "agent_mobile",
        "login_help",
        "person",
    ),
    "plans": ("FOLLOW_MODES", "TIMED", "Clocks", "plan_case", "spec_steps", "steps_for"),
}
_WHERE = {name: module for module, names in _HOMES.items() for name in names}
__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module 'xinfang.demo' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"xinfang.demo.{_WHERE[name]}"), name)
