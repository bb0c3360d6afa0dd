"""Admin for the library system, its libraries and service points, and the calendar."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from shufang.core.admin import AuditedModelAdmin, admin_actor
from shufang.network.models import (
    CalendarException,
    Library,
    LibrarySystem,
    OpeningHours,
    ServicePoint,
)


def _service(name: str) -> Any:
    """The network service called `name`, or None while it is not written yet."""
    try:
        from shufang.network import services
    except ImportError:
        return None
    return getattr(services, name, None)


def _model_fields(obj: Any, form: ModelForm) -> dict[str, Any]:
    names = {f.name for f in obj._meta.concrete_fields}
    return {k: v for k, v in form.cleaned_data.items() if k in names}


@admin.register(LibrarySystem)
class LibrarySystemAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Library)
class LibraryAdmin(AuditedModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A code is an identity (ISIL): the services never change it.
        return ["code"] if obj is not None else []

    list_display = ["code", "name", "kind", "system", "contact_phone", "closed_on"]
    list_filter = ["kind", "system"]
    search_fields = ["code", "name", "name_en", "address"]
    list_select_related = ["system"]

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        service = _service("library_create")
        if service is None:
            return None
        return service(**_model_fields(obj, form), actor=admin_actor(request))

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        service = _service("library_update")
        if service is None:
            return None
        return service(library=obj, actor=admin_actor(request), **changes)


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(ServicePoint)
class ServicePointAdmin(AuditedModelAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A code is an identity (ISIL): the services never change it.
        return ["code"] if obj is not None else []

    list_display = ["code", "name", "kind", "library", "contact_phone", "closed_on"]
    list_filter = ["kind", "library"]
    search_fields = ["code", "name", "name_en", "address", "host_organisation"]
    list_select_related = ["library"]
    inlines = [OpeningHoursInline]

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        service = _service("service_point_create")
        if service is None:
            return None
        return service(**_model_fields(obj, form), actor=admin_actor(request))

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        service = _service("service_point_update")
        if service is None:
            return None
        return service(service_point=obj, actor=admin_actor(request), **changes)


@admin.register(CalendarException)
class CalendarExceptionAdmin(AuditedModelAdmin):
    list_display = ["start_date", "end_date", "kind", "library", "service_point", "reason"]
    list_filter = ["kind", "library"]
    search_fields = ["reason"]
    date_hierarchy = "start_date"
    list_select_related = ["library", "service_point"]
