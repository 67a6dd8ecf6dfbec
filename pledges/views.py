"""The public pages of pledges: start page, one pledge, the accessibility statement, the country feed.

Public pages are built once per data version and language (pledges/public_cache.py); only the page frame
(which knows whether someone is logged in) is rendered per request.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .feeds import CountryFeed
from .models import Pledge
from .public_cache import public_cached, public_cached_page
from .public_selectors import public_pledge_get
from .selectors import public_pledges_for_home


def render_public_page(request, key, build):
    """Render a public page whose body is cached: build() returns (title, template, context) and may raise
    Http404; its result is rendered without the request, so nothing per user or per session is cached.

    A visitor without a session or flash messages sees the same frame as every other such visitor (no form,
    no token, no name in it), so for them the whole page is cached (and sent compressed to browsers that
    accept it; nothing secret is in it, so compression leaks nothing); others get the cached body in their
    own frame."""

    def render_body():
        title, template_name, context = build()
        return {"title": str(title), "body": render_to_string(template_name, context)}

    def render_page():
        page = public_cached(key, render_body)
        return render_to_string(
            "public/page.html", {"title": page["title"], "body": mark_safe(page["body"])}, request=request
        )

    if _without_state(request):
        return public_cached_page(request, f"page:{key}", render_page)
    return HttpResponse(render_page())


def _without_state(request):
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def home(request):
    def build():
        return None, "pledges/home.html", {"pledges": list(public_pledges_for_home())}

    return render_public_page(request, "home", build)


def pledge_detail(request, pk):
    def build():
        pledge = public_pledge_get(pk)
        return pledge.title, "public/pledge_detail.html", {"pledge": pledge}

    return render_public_page(request, f"pledge:{pk}", build)


def agreement_pdf(request, pk):
    """The signed agreement of a public pledge: its latest version, the same bytes every time."""
    from .agreement import agreement_filename, latest_agreement

    pledge = Pledge.objects.public().filter(pk=pk).first()
    document = latest_agreement(pledge) if pledge else None
    if document is None:
        raise Http404
    return FileResponse(
        document.pdf.open("rb"),
        filename=agreement_filename(pledge, document.version),
        content_type="application/pdf",
    )


def evaluation_pdf(request, pk, year):
    """A published evaluation of a public pledge: the stored file, the same bytes every time."""
    from followup.evaluation import evaluation_filename
    from followup.models import Evaluation

    evaluation = (
        Evaluation.objects.filter(
            pledge__in=Pledge.objects.public(), pledge_id=pk, year=year, published=True, status=Evaluation.Status.DONE
        )
        .select_related("pledge")
        .first()
    )
    if evaluation is None or not evaluation.pdf:
        raise Http404
    evaluation.pledge.municipalities.all()  # for the filename
    return FileResponse(
        evaluation.pdf.open("rb"),
        as_attachment=False,
        filename=evaluation_filename(evaluation.pledge, year),
        content_type="application/pdf",
    )


def accessibility(request):
    return render(request, "public/accessibility.html")


def country_feed(request):
    return cached_feed(request, "feed:country", CountryFeed())


def cached_feed(request, key, feed, *args, **kwargs):
    def build():
        response = feed(request, *args, **kwargs)
        return {"content": response.content, "content_type": response["Content-Type"]}

    cached = public_cached(key, build)
    return HttpResponse(cached["content"], content_type=cached["content_type"])
