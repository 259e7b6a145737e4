"""The signal by which ``registers`` announces a change to the read side.

``registers`` imports neither ``surveys`` nor ``dashboards``: ``dashboards`` connects to this
signal in its ``AppConfig.ready`` and finds the campaigns concerned (see
``docs/architecture.md``).
"""

from django.dispatch import Signal

#: Sent INSIDE the transaction that changes a register entry whose values the criteria read
#: (a RECP measure, an exchange or its participants, an ISO certificate, or a certificate
#: that expired). Receivers write in that transaction (e.g. mark results stale) and defer side
#: effects with ``transaction.on_commit``. kwargs: ``park_ids`` (list[int]).
register_entries_changed = Signal()
