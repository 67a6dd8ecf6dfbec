"""pledges.api.renderers.JSONRenderer gives DRF's JSON byte for byte, only faster."""

import datetime
import decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

from pledges.api.renderers import JSONRenderer

DATA = {
    "count": 2,
    "next": "http://testserver/api/v1/pledges/?page=2",
    "results": [
        {"title": "Trygghet i Malå – centrum", "quote": 'Hon sa: "fart" & <b>buller</b>\n', "id": 1},
        {"line separators": "a\u2028b\u2029c", "emoji": "😀", "compliance": 1 / 12, "measurable": True},
        {"none": None, "whole": 3.0, "small": 1e-7, "big": 12345678901234567890, "nested": [[], {}, [1, [2]]]},
        {"date": datetime.date(2024, 5, 1), "at": datetime.datetime(2024, 5, 1, 12, 30, tzinfo=datetime.UTC)},
        {"lazy": gettext_lazy("Pledges"), "decimal": decimal.Decimal("1.50")},
    ],
}


def test_it_gives_the_same_bytes_as_drf():
    assert JSONRenderer().render(DATA) == DRFJSONRenderer().render(DATA)
    without_separators = {**DATA, "results": DATA["results"][:1] + DATA["results"][2:]}
    assert JSONRenderer().render(without_separators) == DRFJSONRenderer().render(without_separators)


def test_it_indents_as_drf_when_asked():
    for media_type in ("application/json; indent=4", "application/json; indent=0"):
        assert JSONRenderer().render(DATA, media_type) == DRFJSONRenderer().render(DATA, media_type)
    assert JSONRenderer().render(DATA, None, {"indent": 2}) == DRFJSONRenderer().render(DATA, None, {"indent": 2})
    assert JSONRenderer().render(None) == b""
