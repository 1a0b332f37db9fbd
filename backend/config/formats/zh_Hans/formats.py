# Amounts as Chinese business documents write them, "1,500,000": Django's Simplified Chinese
# formats leave digits ungrouped. Everything else comes from Django's own.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
