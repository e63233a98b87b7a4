"""Japanese date style of the portal: `2026年11月28日`, always with the year (FORMAT_MODULE_PATH)."""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = "Y年n月j日"
DATETIME_FORMAT = "Y年n月j日 G:i"
SHORT_DATETIME_FORMAT = "Y年n月j日 G:i"
TIME_FORMAT = "G:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "Y年n月j日"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
