from django.shortcuts import render

from .selectors import public_pledges_for_home


def home(request):
    return render(request, "pledges/home.html", {"pledges": public_pledges_for_home()})
