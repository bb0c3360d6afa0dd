"""Admin for records, items and collections. An item's status is read-only here: it changes
only through the item services, which follow the transition table."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from shufang.catalogue.models import Collection, Item, Record
from shufang.core.admin import AuditedModelAdmin, admin_actor


def _items_service(name: str) -> Any:
    try:
        from shufang.catalogue.services import items
    except ImportError:
        return None
    return getattr(items, name, None)


@admin.register(Record)
class RecordAdmin(AuditedModelAdmin):
    list_display = ["title", "authors", "publisher", "year", "isbn", "clc", "material_type"]
    list_filter = ["material_type", "audience", "marc_flavour", "language"]
    search_fields = [
        "title",
        "title_pinyin",
        "title_pinyin_initials",
        "authors",
        "isbn",
        "clc",
        "control_number",
    ]
    exclude = ["marc_original", "marc"]
    readonly_fields = ["marc_flavour", "marc_encoding", "marc_format", "deleted_at"]


COLLECTION_FIELDS = ("code", "name", "name_en", "loanable", "juvenile")


@admin.register(Collection)
class CollectionAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "loanable", "juvenile"]
    list_filter = ["loanable", "juvenile"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The code is the collection's identity: the service never changes it.
        return ["code"] if obj is not None else []

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        from shufang.catalogue.services.collections import collection_create

        data = form.cleaned_data
        return collection_create(
            **{k: data[k] for k in COLLECTION_FIELDS if k in data}, actor=admin_actor(request)
        )

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        from shufang.catalogue.services.collections import collection_update

        return collection_update(collection=obj, actor=admin_actor(request), **changes)


ITEM_SERVICE_FIELDS = (
    "record",
    "barcode",
    "home_service_point",
    "collection",
    "call_number",
    "price",
    "acquisition_source",
    "acquired_on",
    "owning_library",
)


@admin.register(Item)
class ItemAdmin(AuditedModelAdmin):
    list_display = [
        "barcode",
        "record",
        "owning_library",
        "home_service_point",
        "collection",
        "call_number",
        "status",
    ]
    list_filter = ["status", "collection", "owning_library", "acquisition_source"]
    search_fields = ["barcode", "call_number", "record__title", "record__isbn"]
    readonly_fields = ["status", "status_changed_at", "current_service_point", "withdrawn_on"]
    raw_id_fields = ["record"]
    list_select_related = ["record", "owning_library", "home_service_point", "collection"]

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        service = _items_service("item_create")
        if service is None:
            # Until the service lands: a new item starts at its home service point.
            obj.current_service_point = obj.home_service_point
            return None
        data = form.cleaned_data
        kwargs = {k: data[k] for k in ITEM_SERVICE_FIELDS if k in data}
        return service(**kwargs, actor=admin_actor(request))

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        service = _items_service("item_update")
        if service is None:
            return None
        return service(item=obj, actor=admin_actor(request), **changes)
