"""Where the apps above ``cases`` plug into a case's life, so that ``cases`` imports none of them.

The layers run core < access < audit < accounts < reference < cases < deadlines < ratings/notify;
an app may import the ones below it only. What ``cases`` needs from an app above it is asked
here, and that app registers its answer in its ``AppConfig.plug()`` (``xinfang.core.startup``):

- ``after_step``: called inside a step's transaction, after its event is written (the clocks
  start and stop there). Raising a ``DomainError`` refuses the step; nothing of it is kept.
- ``after_history``: called inside the transaction that brings in cases from an old ledger
  (``actions_past``), with each case and the steps it went through, dated as the ledger says
  (the clocks are computed there, as of those days).
- ``panels``: cards of the case page (a template and a function that gives its context).
- ``clocks``: the running clocks a worklist shows (and the cases in hand that no 办理期限 runs
  for), the lengths of the clocks that the step forms quote (``{conclude}`` → “60日”), their
  names for the history, and when a request window ends (a late request needs its reason).
- ``ledger columns``: columns of the ledger (台账: the .xlsx and the monthly print view), read
  for a whole chunk of rows at a time, never with a query per row.
- ``case papers`` and ``case sheets``: what an app adds to a case's file (归档, ``casefile``):
  files (the 反馈表) and sheets of the history workbook (the clocks).

Registration is keyed, so a second ``ready()`` (tests) replaces rather than doubles an entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

# --- After a step ----------------------------------------------------------------------------------

AfterStep = Callable[..., None]  # (case, *, step: str, on: date | None, by, data: dict) -> None
_after_step: dict[str, AfterStep] = {}


def on_step(key: str, hook: AfterStep) -> None:
    _after_step[key] = hook


def after_step(case, *, step: str, on: datetime.date | None, by, data: Mapping[str, Any]) -> None:
    for hook in _after_step.values():
        hook(case, step=step, on=on, by=by, data=data)


# --- Cases brought in from an old ledger ---------------------------------------------------------------

AfterHistory = Callable[..., None]  # (entries: list of (case, [(step, on | None)]), *, by) -> None
_after_history: dict[str, AfterHistory] = {}


def on_history(key: str, hook: AfterHistory) -> None:
    _after_history[key] = hook


def after_history(entries: list[tuple[Any, list[tuple[str, datetime.date | None]]]], *, by) -> None:
    for hook in _after_history.values():
        hook(entries, by=by)


# --- Cards of the case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A card of the case page. ``context(case, user)`` gives what its template reads as
    ``panel``, or None when the card is not shown. ``column`` is "main" (beside the case's
    papers) or "aside". ``select_related``: the case's relations the card reads, fetched with
    the case in the page's first query. ``prefetch_related``: the case's lists the card reads
    (``django.db.models.Prefetch`` objects), read once for the page; two cards that read the
    same list name the same ``Prefetch``."""

    key: str
    template: str
    context: Callable[[Any, Any], Any]
    column: str = "main"
    order: int = 100
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[Any, ...] = ()


_panels: dict[str, Panel] = {}


def add_panel(panel: Panel) -> None:
    if panel.column not in ("main", "aside"):
        raise ValueError(f"panel {panel.key!r}: column must be 'main' or 'aside'")
    _panels[panel.key] = panel


def panels() -> list[Panel]:
    return sorted(_panels.values(), key=lambda p: (p.order, p.key))


def panel_relations() -> tuple[str, ...]:
    """The relations the case page's cards read, for the query that fetches the case."""
    return tuple(path for panel in panels() for path in panel.select_related)


def panel_prefetches() -> list[Any]:
    """The lists the case page's cards read (``Panel.prefetch_related``), each named once."""
    seen: dict[str, Any] = {}
    for panel in panels():
        for prefetch in panel.prefetch_related:
            seen.setdefault(prefetch.prefetch_to, prefetch)
    return list(seen.values())


# --- The clocks ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunningClocks:
    """The running 办理期限 of some cases, for a worklist: passed, and due by ``soon_until``;
    and the ids of the accepted cases no 办理期限 runs for (a kind of matter no clock applies to:
    建议意见类、检举控告类, 第三十四条), which the agent follows by the follow-up dates."""

    soon_until: datetime.date
    overdue: list
    due_soon: list
    unclocked: list = field(default_factory=list)
    # The unit of every clock of each list, shown or not (``running(..., shown=)`` shows the
    # first few): the lists' lengths and each unit's count.
    overdue_units: list[int] = field(default_factory=list)
    due_soon_units: list[int] = field(default_factory=list)


class Clocks(Protocol):
    def running(self, user, today: datetime.date, *, shown: int | None = None) -> RunningClocks: ...

    def terms(self) -> dict[str, str]: ...

    def names(self) -> dict[str, str]: ...

    def window_end(self, case, code: str) -> datetime.date | None: ...


_clocks: dict[str, Clocks] = {}


def provide_clocks(provider: Clocks) -> None:
    _clocks["clocks"] = provider


def running_clocks(user, today: datetime.date, *, shown: int | None = None) -> RunningClocks:
    """The running clocks of the open cases ``user`` may see (``Clocks.running``)."""
    provider = _clocks.get("clocks")
    if provider is None:
        return RunningClocks(soon_until=today, overdue=[], due_soon=[])
    return provider.running(user, today, shown=shown)


def window_end(case, code: str) -> datetime.date | None:
    """The last day of the request window ``code`` running on the case, or None (none runs)."""
    provider = _clocks.get("clocks")
    return provider.window_end(case, code) if provider is not None else None


def clock_terms() -> dict[str, str]:
    """Each clock's code and its length in words (“15日”, “5个工作日”), as bureau staff keep it."""
    provider = _clocks.get("clocks")
    return provider.terms() if provider is not None else {}


def clock_names() -> dict[str, str]:
    """Each clock's code and its name (“办结期限”), as bureau staff keep it: the history names a
    clock by it, never by its code."""
    provider = _clocks.get("clocks")
    return provider.names() if provider is not None else {}


# --- Columns of the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column of the ledger: its header, its width in the .xlsx (in characters), and, where the
    A4 print view shows it too, the header it has there (``printed``; narrower words)."""

    header: str
    width: int = 12
    printed: str = ""


@dataclass(frozen=True)
class LedgerColumns:
    """Columns an app adds to the ledger. ``prepare(cases)`` gives the queryset back with what
    ``values`` reads (annotations, joins); ``values(rows)`` is called once for each chunk of rows
    (a list of dicts, as ``values()`` gives them: ``pk`` and the annotations) and gives each
    row's cells in the order of ``columns``: at most a query or two for the chunk, never one per
    row."""

    key: str
    columns: tuple[Column, ...]
    values: Callable[[list], list[list]]
    prepare: Callable[[Any], Any] | None = None
    order: int = 100


_ledger_columns: dict[str, LedgerColumns] = {}


def add_ledger_columns(columns: LedgerColumns) -> None:
    _ledger_columns[columns.key] = columns


def ledger_columns() -> list[LedgerColumns]:
    return sorted(_ledger_columns.values(), key=lambda c: (c.order, c.key))


# --- The case file (归档) --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paper:
    """One file of a case file: its folder and name in the .zip, what it is (for the manifest),
    and how to get its content (a document made now, or a stored file decrypted when written)."""

    folder: str
    name: str
    title: str
    read: Callable[[], bytes]


@dataclass(frozen=True)
class CaseSheet:
    """A sheet of the case file's history workbook: ``rows(case)`` gives its rows under
    ``columns`` (empty: the sheet says there is nothing)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: Callable[[Any], list[list]]
    order: int = 100


PapersOf = Callable[..., list[Paper]]  # (case, *, full: bool) -> the app's papers of the case
_papers: dict[str, tuple[int, PapersOf]] = {}
_sheets: dict[str, CaseSheet] = {}


def add_case_papers(key: str, papers: PapersOf, *, order: int = 100) -> None:
    _papers[key] = (order, papers)


def case_papers(case, *, full: bool) -> list[Paper]:
    """The papers the apps above keep on the case, in their order."""
    found: list[Paper] = []
    for _, papers in sorted(_papers.values(), key=lambda entry: entry[0]):
        found.extend(papers(case, full=full))
    return found


def add_case_sheet(sheet: CaseSheet) -> None:
    _sheets[sheet.key] = sheet


def case_sheets() -> list[CaseSheet]:
    return sorted(_sheets.values(), key=lambda s: (s.order, s.key))


def registered() -> Iterable[str]:
    """What is plugged in (for a test that checks the apps above register themselves)."""
    return [*_after_step, *_after_history, *_panels, *_clocks, *_ledger_columns, *_papers, *_sheets]
