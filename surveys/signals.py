"""Signals by which ``surveys`` announces changes to the read side (``docs/architecture.md``).

``surveys`` never imports ``dashboards``; ``dashboards`` connects to these in its
``AppConfig.ready``.
"""

from django.dispatch import Signal

#: Sent INSIDE the transaction that changes which answers are scored (submit, approve,
#: reopen, import). Receivers write in that transaction (e.g. mark results stale) and defer
#: side effects such as enqueueing a task with ``transaction.on_commit``.
#: kwargs: ``campaign_id`` (int), ``park_ids`` (list[int]), ``reason`` (str).
scored_answers_changed = Signal()
