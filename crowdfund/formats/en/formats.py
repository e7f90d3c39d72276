# English pages read dates day-first with the month's short name ("30 Nov 2026", "30 Nov 2026, 14:05"): an
# investor in China meets fewer ambiguous dates than with the US month/day order that Django's `en` uses. The rest
# (thousand separator ",", groups of three) is Django's own.
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
