"""Django's own messages whose Vietnamese we word better (never imported; read by
``makemessages``).

Django's Vietnamese catalogue says "Nhập một số tổng thể." for "Enter a whole number." and puts
a space before the full stop of its range messages. Listing those msgids here with
``gettext_noop`` puts them in ``locale/vi/LC_MESSAGES/django.po``; a catalogue of
``LOCALE_PATHS`` takes precedence over Django's, so our wording replaces theirs wherever Django
raises these messages (form and model validators). ``tests/test_i18n.py`` checks the result.
"""

from django.utils.translation import gettext_noop

#: msgids of ``django.forms.IntegerField`` and ``django.core.validators`` (Django 5.2)
OVERRIDDEN = (
    gettext_noop("Enter a whole number."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
)
