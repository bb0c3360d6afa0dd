from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shufang.network.models import Library


def home(request: HttpRequest) -> HttpResponse:
    """Placeholder public page until the OPAC arrives: the library's name and the way in."""
    library = Library.objects.order_by("code").first()
    return render(request, "web/home.html", {"library": library})
