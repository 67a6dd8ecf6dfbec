"""Every CSV file we write goes through here, so that no cell becomes a live spreadsheet formula.

A text beginning with = + - @ (or a tab or carriage return, which some programs strip before looking)
is read by Excel and LibreOffice as a formula: `=HYPERLINK(...)` in a pledge title would become a link
in the spreadsheet of whoever opens the export. Such a text gets a leading apostrophe, as OWASP advises
("CSV injection"); numbers stay numbers, so a negative quantity is still -3.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose cells (header included) are made spreadsheet-safe."""

    def writeheader(self):
        return self.writer.writerow([spreadsheet_safe(name) for name in self.fieldnames])

    def _dict_to_list(self, rowdict):
        return [spreadsheet_safe(value) for value in super()._dict_to_list(rowdict)]
