"""Dzongkha (dz) date and number formats: Django ships none (FORMAT_MODULE_PATH, settings).

Dates read day, month, year as in Bhutan's English (`28 Nov 2026`), the month's name coming
from the catalogue (locale/dz: "ཟླ་༡༡" for November, via Django's "abbrev. month" strings);
times are on the 24-hour clock. Numbers keep the Western digits, the "." decimal point and
groups of three with ",", as money is written today ("BTN 1,250,000.00", workflow/display.py).
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# What forms accept, as in English (en-gb): ISO dates are always accepted too.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S.%f",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M:%S",
    "%d/%m/%y %H:%M:%S.%f",
    "%d/%m/%y %H:%M",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
