"""English date formats (Django's ``FORMAT_MODULE_PATH``): day before month, as the
Vietnamese interface writes them, so a date reads the same in both languages (05/03/2026 is
5 March in either)."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
