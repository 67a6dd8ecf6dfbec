"""The public municipality pages: the searchable list, a municipality's page, its embed and its feed."""

import hashlib

from csp.decorators import csp_replace
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.clickjacking import xframe_options_exempt

from pledges.feeds import MunicipalityFeed
from pledges.public_cache import public_cached
from pledges.views import cached_feed, render_public_page

from .forms import MunicipalitySearchForm
from .selectors import (
    attach_compliance,
    municipalities_with_public_pledges,
    public_municipality_get,
    public_pledges_of,
)


def municipality_list(request):
    query = request.GET.urlencode()
    key = "municipalities:" + hashlib.sha256(query.encode()).hexdigest()

    def build():
        form = MunicipalitySearchForm(request.GET)
        if not form.is_valid():
            raise Http404
        data = form.cleaned_data
        municipalities = attach_compliance(
            municipalities_with_public_pledges(
                q=data["q"], county=data["lan"], region=data["region"], theme=data["tema"]
            )
        )
        filtered = any(data.values())
        context = {"form": form, "municipalities": municipalities, "filtered": filtered}
        return None, "public/municipality_list.html", context

    return render_public_page(request, key, build)


def _municipality_context(code):
    municipality = public_municipality_get(code)
    current, earlier, updated = public_pledges_of(municipality)
    return {"municipality": municipality, "current": current, "earlier": earlier, "updated": updated}


def municipality_detail(request, code):
    def build():
        context = _municipality_context(code)
        return context["municipality"].display_name, "public/municipality_detail.html", context

    return render_public_page(request, f"municipality:{code}", build)


@xframe_options_exempt
@csp_replace({"frame-ancestors": "*"})
def municipality_embed(request, code):
    """The compact page for an iframe on the municipality's own site: any origin may frame it, and it is
    rendered without the request so that it never touches the session or sets a cookie."""
    html = public_cached(f"embed:{code}", lambda: render_to_string("public/embed.html", _municipality_context(code)))
    return HttpResponse(html)


def municipality_feed(request, code):
    return cached_feed(request, f"feed:{code}", MunicipalityFeed(), code=code)
