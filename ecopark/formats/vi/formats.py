"""Vietnamese date formats (Django's ``FORMAT_MODULE_PATH``), over Django's own ``vi`` module.

Django writes "Ngày 05 tháng 12 năm 2026" with a capital N, which lands mid-sentence ("Tính
lúc 06:19 Ngày 05…"); Vietnamese writes "ngày" in lower case inside a sentence. Short dates
are written day/month/year with slashes (05/03/2026), as Vietnamese forms do. Numbers use a decimal
comma and a thousands point, grouped by three where a page asks for grouping.
"""

DATE_FORMAT = r"\n\g\à\y d \t\h\á\n\g n \n\ă\m Y"
DATETIME_FORMAT = r"H:i \n\g\à\y d \t\h\á\n\g n \n\ă\m Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
# Django's vi module sets no grouping: numbers shown with the "g" flag of floatformat (large
# quantities, money) are grouped by thousands, 1.234.500
NUMBER_GROUPING = 3
