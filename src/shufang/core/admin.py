"""Admin for core, and `AuditedModelAdmin`, the base every app's admin builds on.

Every save and delete in the admin writes one AuditEvent with channel "admin". A subclass
whose model has a domain service overrides `create_via_service`/`update_via_service`; the
service then writes the audit event itself. Without a service the base class saves and
audits the changed fields."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from shufang.core.audit import Actor, audit_record
from shufang.core.exceptions import ShufangError
from shufang.core.models import ApiToken, AuditEvent, Channel, StaffRole
from shufang.core.tokens import api_token_create, api_token_revoke

admin.site.site_header = "书房 Shufang"
admin.site.site_title = "书房 Shufang"
admin.site.index_title = _("Administration")


def admin_actor(request: HttpRequest) -> Actor:
    return Actor(user=request.user, channel=Channel.ADMIN)


def _field_value(obj: Model, name: str) -> Any:
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return None
    return getattr(obj, getattr(field, "attname", name), None)


class AuditedModelAdmin(admin.ModelAdmin):
    """Saves go through the domain service when there is one, and are always audited."""

    def create_via_service(self, request: HttpRequest, obj: Any, form: ModelForm) -> Any:
        """Return the created object, or None when no service exists for this model."""
        return None

    def update_via_service(
        self, request: HttpRequest, obj: Any, form: ModelForm, changes: dict[str, Any]
    ) -> Any:
        """Return the updated object, or None when no service exists for this model."""
        return None

    def _changed_values(self, obj: Model, form: ModelForm) -> dict[str, Any]:
        names = {f.name for f in obj._meta.concrete_fields}
        return {name: form.cleaned_data[name] for name in form.changed_data if name in names}

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        actor = admin_actor(request)
        label = obj._meta.label_lower
        try:
            with transaction.atomic():
                if not change:
                    created = self.create_via_service(request, obj, form)
                    if created is not None:
                        obj.pk = created.pk
                        obj.__dict__.update(
                            {k: v for k, v in created.__dict__.items() if k != "_state"}
                        )
                        obj._state.adding = False
                        return
                    obj.save()
                    audit_record(
                        actor=actor,
                        action=f"{label}.create",
                        obj=obj,
                        changes={
                            name: _field_value(obj, name)
                            for name in form.changed_data
                            if name in {f.name for f in obj._meta.concrete_fields}
                        },
                    )
                    return
                changes = self._changed_values(obj, form)
                if not changes:
                    return
                original = type(obj)._default_manager.get(pk=obj.pk)
                if self.update_via_service(request, original, form, changes) is not None:
                    return
                before = {name: _field_value(original, name) for name in changes}
                obj.save()
                audit_record(
                    actor=actor,
                    action=f"{label}.update",
                    obj=obj,
                    changes={name: [before[name], _field_value(obj, name)] for name in changes},
                )
        except ShufangError as exc:
            # The service refused: nothing was written; say why instead of failing the request.
            messages.error(request, str(exc.message))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(
                actor=admin_actor(request), action=f"{obj._meta.label_lower}.delete", obj=obj
            )
            obj.delete()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows are audited one by one, like top-level saves."""
        actor = admin_actor(request)
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                audit_record(actor=actor, action=f"{obj._meta.label_lower}.delete", obj=obj)
                obj.delete()
            for obj in instances:
                adding = obj._state.adding
                obj.save()
                audit_record(
                    actor=actor,
                    action=f"{obj._meta.label_lower}.{'create' if adding else 'update'}",
                    obj=obj,
                )
            formset.save_m2m()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor_label", "channel", "action", "object_type", "object_repr"]
    list_filter = ["channel", "object_type", "at"]
    search_fields = ["action", "actor_label", "object_id", "object_repr"]
    date_hierarchy = "at"
    list_select_related = ["actor"]


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedModelAdmin):
    list_display = ["user", "role", "library", "service_point"]
    list_filter = ["role", "library"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "library", "service_point"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created through a page that shows the plaintext once; nothing is editable."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    exclude = ["key_hash"]
    actions = ["revoke_tokens"]
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        return [
            path(
                "create/",
                self.admin_site.admin_view(self.create_token_view),
                name="core_apitoken_create",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            "create_url": reverse("admin:core_apitoken_create"),
        }
        return super().changelist_view(request, extra_context)

    def create_token_view(self, request: HttpRequest) -> HttpResponse:
        from django import forms
        from django.contrib.auth import get_user_model

        if not request.user.is_superuser:
            return HttpResponseRedirect(reverse("admin:core_apitoken_changelist"))

        class TokenForm(forms.Form):
            user = forms.ModelChoiceField(
                label=_("user"), queryset=get_user_model().objects.filter(is_active=True)
            )
            name = forms.CharField(label=_("name"), max_length=100)

        plaintext = None
        form = TokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            _token, plaintext = api_token_create(
                user=form.cleaned_data["user"],
                name=form.cleaned_data["name"],
                actor=admin_actor(request),
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Create API token"),
            "form": form,
            "plaintext": plaintext,
        }
        return TemplateResponse(request, "admin/core/apitoken/create.html", context)

    @admin.action(description=_("Revoke selected tokens"))
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            api_token_revoke(token=token, actor=admin_actor(request))
