"""Helpers without a domain, used by every app: reading numbers, percentages, yes/no and
dates as people in Vietnam type them (:mod:`common.parsing`) and writing numbers as the
active language does (:mod:`common.formats`). It imports no app (``docs/architecture.md``)."""
