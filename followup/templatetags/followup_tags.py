from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def percent(share):
    """0.856 → "86 %" (a share of 0–1 as a whole percentage); "–" when there is no score."""
    if share is None or share == "":
        return "–"
    return _("%(value)s %%") % {"value": number_format(round(share * 100), 0)}


@register.filter
def status_class(status):
    """The Bootstrap text colour class of a period status (the status is also written out)."""
    return {
        "met": "text-success",
        "not_met": "text-danger",
        "not_reported": "text-warning-emphasis",
        "in_progress": "text-primary",
    }.get(status, "")


@register.filter
def get_item(mapping, key):
    return mapping.get(key)
