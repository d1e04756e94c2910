"""Who may see or do what: the one place that answers it.

``policy`` is the capability table (role × capability, each with its reach: the user's own unit or
the whole county), kept as data and shown to bureau staff and the auditor on the page 谁能做什么.
``rules`` answers the questions: ``can``, ``check`` (raises ``Refused`` and has the refusal logged),
``scoped`` (a queryset cut to what the user may see), ``get_or_refuse``. Views use ``requires``;
templates use ``may`` (a context processor); actions call ``check`` before they change anything.
Nothing else in the platform compares a user's role.
"""
