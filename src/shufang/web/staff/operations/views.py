"""Operations pages beyond the generic ledgers: the WeChat figures import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from shufang.core.exceptions import PermissionDenied as DomainPermissionDenied
from shufang.core.exceptions import ShufangError
from shufang.core.permissions import visible_library_ids
from shufang.network.models import Library
from shufang.web.access import desk_actor, staff_required


class WechatImportForm(forms.Form):
    KINDS = (("posts", _("Posts (date, title, reads)")), ("months", _("Monthly user figures")))
    library = forms.ModelChoiceField(queryset=Library.objects.none(), label=_("Library"))
    account = forms.CharField(label=_("Account"), initial="ljstsg", max_length=64)
    kind = forms.ChoiceField(label=_("Export"), choices=KINDS)
    file = forms.FileField(label=_("CSV or XLSX file"))


@staff_required("operations.change")
def wechat_import(request: HttpRequest) -> HttpResponse:
    from shufang.operations.services.wechat import wechat_months_import, wechat_posts_import

    form = WechatImportForm(request.POST or None, request.FILES or None)
    ids = visible_library_ids(request.user, "operations.change")
    libraries = Library.objects.order_by("code")
    form.fields["library"].queryset = libraries if ids is None else libraries.filter(pk__in=ids)  # type: ignore[attr-defined]
    errors: list[dict] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        suffix = Path(upload.name).suffix.lower() or ".csv"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"wechat{suffix}"
            path.write_bytes(upload.read())
            load = (
                wechat_posts_import
                if form.cleaned_data["kind"] == "posts"
                else wechat_months_import
            )
            try:
                result = load(
                    path=path,
                    library=form.cleaned_data["library"],
                    account=form.cleaned_data["account"],
                    actor=desk_actor(request),
                )
            except DomainPermissionDenied:
                raise PermissionDenied from None
            except ShufangError as exc:
                form.add_error(None, str(exc.message))
                errors = exc.details.get("rows", [])
            else:
                messages.success(
                    request,
                    _("%(n)d rows imported (%(c)d new, %(u)d updated).")
                    % {"n": result.loaded, "c": result.created, "u": result.updated},
                )
                return redirect(
                    "web:operations-ledger",
                    ledger="wechat_post"
                    if form.cleaned_data["kind"] == "posts"
                    else "wechat_month",
                )
    return render(
        request, "web/staff/operations/wechat_import.html", {"form": form, "row_errors": errors}
    )
