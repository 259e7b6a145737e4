"""Django's and Django REST framework's own messages whose Vietnamese we word (never imported;
read by ``makemessages``).

Django's Vietnamese catalogue says "Nhập một số tổng thể." for "Enter a whole number." and puts
a space before the full stop of its range messages; DRF's (3.18) translates about 20 of its
messages, so most refusals of the API (``/api/v1/``) stayed English in Vietnamese. Listing
those msgids here with ``gettext_noop`` puts them in ``locale/vi/LC_MESSAGES/django.po``; a
catalogue of ``LOCALE_PATHS`` takes precedence over Django's and DRF's, so our wording replaces
theirs wherever they raise these messages (form and model validators, serializer fields,
authentication, permissions, paging). Each msgid is copied letter for letter from the installed
source (``django/forms/fields.py``, ``django/core/validators.py``, ``rest_framework/*.py``,
``knox/auth.py``); a msgid that differs by one character is never looked up. DRF formats its
brace messages (``{max_length}``) after translating them, so their msgstr keep the braces.
``tests/test_i18n.py`` and ``tests/test_api_messages.py`` check the result.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

#: msgids of ``django.forms.IntegerField`` and ``django.core.validators`` (Django 5.2)
OVERRIDDEN = (
    gettext_noop("Enter a whole number."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
)

#: msgids of ``django/contrib/auth/password_validation.py`` (Django 5.2). Django's Vietnamese
#: catalogue has the error of ``MinimumLengthValidator`` only under its old msgid
#: (``%(min_length)d``); 5.2 asks for "…at least %d character(s).", which it lacks, so the
#: refusal stayed English on the invitation and password pages. The other rules are listed so
#: their wording is ours. A plural msgid is marked with ``ngettext_lazy`` (Django has no
#: ``ngettext_noop``; ``makemessages`` reads its ``msgid_plural``); the proxy is never
#: evaluated here.
PASSWORD_OVERRIDDEN = (
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        8,
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        8,
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
    # django/contrib/auth/models.py: the fields "too similar to the %(verbose_name)s" names
    # (UserAttributeSimilarityValidator), mid-sentence, so in lower case (Django's vi:
    # "Tên đăng nhập", "Tên", "Họ")
    gettext_noop("username"),
    gettext_noop("first name"),
    gettext_noop("last name"),
    gettext_noop("email address"),
)

#: msgids of DRF 3.18 (and django-rest-knox 5) that the API can answer: authentication,
#: ``rest_framework/exceptions.py``, the serializer fields, relations and validators the
#: project's serializers use, and paging. Not listed: the browsable API's labels, versioning,
#: hyperlinked relations and field types no serializer of the project has.
DRF_OVERRIDDEN = (
    # rest_framework/authentication.py, knox/auth.py
    gettext_noop("Invalid basic header. No credentials provided."),
    gettext_noop("Invalid basic header. Credentials string should not contain spaces."),
    gettext_noop("Invalid basic header. Credentials not correctly base64 encoded."),
    gettext_noop("Invalid username/password."),
    gettext_noop("User inactive or deleted."),
    gettext_noop("Invalid token header. No credentials provided."),
    gettext_noop("Invalid token header. Token string should not contain spaces."),
    gettext_noop("Invalid token header. Token string should not contain invalid characters."),
    gettext_noop("Invalid token."),
    # rest_framework/exceptions.py
    gettext_noop("A server error occurred."),
    gettext_noop("Invalid input."),
    gettext_noop("Malformed request."),
    gettext_noop("Incorrect authentication credentials."),
    gettext_noop("Authentication credentials were not provided."),
    gettext_noop("You do not have permission to perform this action."),
    gettext_noop("Not found."),
    gettext_noop('Method "{method}" not allowed.'),
    gettext_noop("Could not satisfy the request Accept header."),
    gettext_noop('Unsupported media type "{media_type}" in request.'),
    gettext_noop("Request was throttled."),
    gettext_noop("Expected available in {wait} second."),
    gettext_noop("Expected available in {wait} seconds."),
    # rest_framework/fields.py
    gettext_noop("This field is required."),
    gettext_noop("This field may not be null."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("This field may not be blank."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("This value does not match the required pattern."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("A valid integer is required."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("String value too large."),
    gettext_noop("A valid number is required."),
    gettext_noop("Integer value too large to convert to float"),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop(
        "Ensure that there are no more than {max_whole_digits} digits before the decimal point."
    ),
    gettext_noop("Datetime has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a datetime but got a date."),
    gettext_noop('Invalid datetime for the timezone "{timezone}".'),
    gettext_noop("Datetime value out of range."),
    gettext_noop("Date has wrong format. Use one of these formats instead: {format}."),
    gettext_noop("Expected a date but got a datetime."),
    gettext_noop('"{input}" is not a valid choice.'),
    gettext_noop('Expected a list of items but got type "{input_type}".'),
    gettext_noop("This selection may not be empty."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted data was not a file. Check the encoding type on the form."),
    gettext_noop("No filename could be determined."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
    gettext_noop("This list may not be empty."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop('Expected a dictionary of items but got type "{input_type}".'),
    gettext_noop("This dictionary may not be empty."),
    gettext_noop("Value must be valid JSON."),
    # rest_framework/pagination.py
    gettext_noop("Invalid page."),
    # rest_framework/relations.py, rest_framework/serializers.py
    gettext_noop('Invalid pk "{pk_value}" - object does not exist.'),
    gettext_noop("Incorrect type. Expected pk value, received {data_type}."),
    gettext_noop("Object with {slug_name}={value} does not exist."),
    gettext_noop("Invalid value."),
    gettext_noop("Invalid data. Expected a dictionary, but got {datatype}."),
    # rest_framework/validators.py
    gettext_noop("This field must be unique."),
    gettext_noop("The fields {field_names} must make a unique set."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
)
