# Amounts in groups of three with a comma ("100,000.00"), as Chinese financial statements and bank slips print
# them; Django's zh_Hans groups by four with no separator, which reads as one long number. Dates stay Django's
# ("2026年11月30日", "2026年11月30日 14:05").
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
