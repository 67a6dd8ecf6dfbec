"""Template filters for the staff area."""

from functools import lru_cache

from django import template
from django.utils import formats
from django.utils.translation import get_language

register = template.Library()


@register.filter
def local_date(value):
    """The date as ``{{ value }}`` shows it, formatted once per date and language: the dashboard shows the
    same few period dates on dozens of rows, and formatting a date costs more than the rest of its row."""
    return _local_date(value, get_language())


@lru_cache(maxsize=1024)
def _local_date(value, language):
    return formats.localize(value)
