"""How dates read in Japanese, the same on every page, e-mail and table: 2026年12月1日 and
2026年12月1日 14:05 (Django's own Japanese short formats, 2026/12/01, are not used).
https://docs.djangoproject.com/en/5.2/topics/i18n/formatting/#creating-custom-format-files"""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "Y年n月j日 G:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
TIME_FORMAT = "G:i"
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
# Typed dates: ISO first (what <input type="date"> sends and is given), then as people write.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日"]
