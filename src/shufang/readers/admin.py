"""Admin for readers, cards, categories and consents.

The national ID number is never shown in clear: the list and the form show only the masked
value; a new ID number is typed into a form field that is handed to the readers service,
which encrypts, hashes and masks it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from shufang.core.admin import AuditedModelAdmin, admin_actor
from shufang.readers.models import Card, Consent, Reader, ReaderCategory


def _service(name: str) -> Any:
    try:
        from shufang.readers import services
    except ImportError:
        return None
    return getattr(services, name, None)


class ReaderAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("new national ID number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "Leave empty to keep the current one. It is stored encrypted and shown masked."
        ),
    )

    class Meta:
        model = Reader
        fields = [
            "name",
            "category",
            "birth_date",
            "phone",
            "email",
            "address",
            "home_service_point",
            "guardian",
            "guardian_name",
            "guardian_phone",
            "keep_loan_history",
            "notes",
        ]


class CardInline(admin.TabularInline):
    model = Card
    fk_name = "reader"
    extra = 0
    fields = ["number", "status", "issued_at", "issued_at_service_point", "expires_on", "replaces"]
    readonly_fields = ["number", "status", "issued_at", "issued_at_service_point", "replaces"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Cards are issued and replaced through the readers services (desk or API).
        return False


REGISTER_FIELDS = (
    "name",
    "category",
    "home_service_point",
    "birth_date",
    "phone",
    "email",
    "address",
    "guardian",
    "guardian_name",
    "guardian_phone",
)


@admin.register(Reader)
class ReaderAdmin(AuditedModelAdmin):
    form = ReaderAdminForm
    list_display = ["name", "category", "home_service_point", "id_number_masked", "created_at"]
    list_filter = ["category", "home_service_point__library"]
    search_fields = ["name", "cards__number", "phone"]
    readonly_fields = ["id_number_masked"]
    raw_id_fields = ["guardian"]
    inlines = [CardInline]
    list_select_related = ["category", "home_service_point"]

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        service = _service("reader_register")
        if service is None:
            return None
        data = form.cleaned_data
        kwargs = {k: data[k] for k in REGISTER_FIELDS if k in data}
        return service(**kwargs, id_number=data.get("id_number") or "", actor=admin_actor(request))

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        service = _service("reader_update")
        if service is None:
            return None
        return service(reader=obj, actor=admin_actor(request), **changes)

    def _changed_values(self, obj: Any, form: ModelForm) -> dict[str, Any]:
        changes = super()._changed_values(obj, form)
        if form.cleaned_data.get("id_number"):
            changes["id_number"] = form.cleaned_data["id_number"]
        return changes


CATEGORY_FIELDS = ("code", "name", "name_en", "kind", "juvenile")


@admin.register(ReaderCategory)
class ReaderCategoryAdmin(AuditedModelAdmin):
    list_display = ["code", "name", "kind", "juvenile"]
    list_filter = ["kind", "juvenile"]
    search_fields = ["code", "name", "name_en"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # The code is the category's identity: the service never changes it.
        return ["code"] if obj is not None else []

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        service = _service("reader_category_create")
        if service is None:
            return None
        data = form.cleaned_data
        kwargs = {k: data[k] for k in CATEGORY_FIELDS if k in data}
        return service(**kwargs, actor=admin_actor(request))

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        service = _service("reader_category_update")
        if service is None:
            return None
        return service(category=obj, actor=admin_actor(request), **changes)


@admin.register(Card)
class CardAdmin(AuditedModelAdmin):
    list_display = ["number", "reader", "status", "issued_at", "expires_on"]
    list_filter = ["status", "issued_at_service_point__library"]
    search_fields = ["number", "reader__name"]
    readonly_fields = ["status", "status_changed_at", "replaces"]
    raw_id_fields = ["reader"]
    list_select_related = ["reader"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    """Consents are the reader's own statements: shown, never edited here."""

    list_display = ["reader", "kind", "granted", "at"]
    list_filter = ["kind", "granted"]
    search_fields = ["reader__name", "reader__cards__number"]
    list_select_related = ["reader"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
