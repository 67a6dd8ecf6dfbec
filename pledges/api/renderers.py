import csv
import io
import json

from rest_framework.renderers import BaseRenderer


def _flatten(value, prefix=""):
    """{"a": {"b": 1}, "c": [..]} → {"a.b": 1, "c": '[..]'}: nested objects become dotted columns and
    lists a JSON text, so that every list of the API fits one row per item."""
    row = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, dict):
            row.update(_flatten(item, f"{name}."))
        elif isinstance(item, list):
            row[name] = json.dumps(item, ensure_ascii=False, default=str)
        else:
            row[name] = "" if item is None else item
    return row


class CSVRenderer(BaseRenderer):
    """Any list of the API as CSV (?format=csv): all rows, one per item; errors as a one-row table."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if isinstance(data, dict) and isinstance(data.get("results"), list):
            data = data["results"]
        items = data if isinstance(data, list) else [data]
        rows = [_flatten(item) if isinstance(item, dict) else {"value": item} for item in items]
        columns = list(dict.fromkeys(column for row in rows for column in row))
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue().encode(self.charset)
