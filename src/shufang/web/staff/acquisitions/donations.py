"""Staff pages for donations (donors, anonymous allowed; donated items with their condition
and the decision on each), local documents and manuscripts, and the donations export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import (
    DonatedItem,
    Donation,
    DonationDecision,
    Donor,
    DonorKind,
    ItemCondition,
    LocalDocument,
)
from shufang.acquisitions.services.donations import (
    DonatedItemIn,
    donated_item_decide,
    donation_record,
    donor_create,
    donor_update,
)
from shufang.acquisitions.services.local_documents import (
    local_document_add,
    local_document_update,
)
from shufang.acquisitions.services.orders import order_record_find_or_create
from shufang.catalogue.models import Collection
from shufang.core.exceptions import ShufangError, ValidationFailed
from shufang.network.models import ServicePoint
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import (
    check_library,
    date_input,
    form_page,
    libraries,
    may_change,
    post_pk,
    scoped,
    service_points,
    xlsx_response,
    year_param,
)

# --------------------------------------------------------------------------- donations


def _donations(request: HttpRequest) -> Any:
    rows = Donation.objects.select_related("donor", "library")
    if request.GET.get("year", "").strip():
        rows = rows.filter(received_on__year=year_param(request))
    return scoped(rows, request, "acquisitions.view", "library_id").order_by("-received_on", "-pk")


@staff_required("acquisitions.view")
def donations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/staff/acquisitions/donations.html",
        {
            "donations": _donations(request)[:200],
            "year": request.GET.get("year", ""),
            "may_change": may_change(request),
        },
    )


@staff_required("acquisitions.view")
def donations_xlsx(request: HttpRequest) -> HttpResponse:
    items = (
        scoped(DonatedItem.objects.all(), request, "acquisitions.view", "donation__library_id")
        .select_related("donation__donor", "passed_to")
        .order_by("donation__received_on", "donation_id", "pk")
    )
    if request.GET.get("year", "").strip():
        items = items.filter(donation__received_on__year=year_param(request))
    headings = [
        _("Certificate number"),
        _("Received on"),
        _("Donor"),
        _("Title"),
        _("ISBN"),
        _("Copies"),
        _("Condition"),
        _("Decision"),
        _("Passed on to"),
        _("Note on the decision"),
    ]
    rows = [
        [
            i.donation.certificate_number,
            i.donation.received_on,
            i.donation.donor.display_name,
            i.title,
            i.isbn,
            i.copies,
            i.get_condition_display(),
            i.get_decision_display(),
            i.passed_to.name if i.passed_to else "",
            i.decision_note,
        ]
        for i in items
    ]
    return xlsx_response("donations.xlsx", headings, rows)


class DonorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=DonorKind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


@staff_required("acquisitions.change")
def donor_add(request: HttpRequest) -> HttpResponse:
    form = DonorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            donor = donor_create(actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Donor added."))
            return redirect(f"{reverse('web:acq-donation-add')}?donor={donor.pk}")
    return form_page(request, form, title=_("Add a donor"), back=reverse("web:acq-donations"))


class DonorEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    anonymous = forms.BooleanField(label=_("Anonymous"), required=False)
    contact = forms.CharField(label=_("Contact"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)


@staff_required("acquisitions.change")
def donor_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Renames a donor or changes their contact details (donors serve the whole network)."""
    donor = get_object_or_404(Donor, pk=pk)
    initial = {f: getattr(donor, f) for f in ("name", "anonymous", "contact", "address")}
    form = DonorEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            donor_update(donor=donor, actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Donor saved."))
            return redirect("web:acq-donations")
    return form_page(request, form, title=str(donor), back=reverse("web:acq-donations"))


class DonationForm(forms.Form):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.order_by("-pk"))
    library = forms.ModelChoiceField(label=_("Library"), queryset=Donor.objects.none())
    received_on = forms.DateField(label=_("Received on"), widget=date_input())
    items = forms.CharField(
        label=_("Donated items"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One line per title: title | ISBN | copies | condition (new, good, worn, damaged)."
        ),
    )
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)


def parse_donated_items(text: str) -> list[DonatedItemIn]:
    """`title | ISBN | copies | condition` per line; ISBN, copies and condition optional."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")] + ["", "", ""]
        title, isbn, copies, condition = parts[:4]
        if copies and not copies.isdecimal():
            raise ValidationFailed(
                _("Line %(n)s: copies must be a number.") % {"n": number}, line=number
            )
        entries.append(
            DonatedItemIn(
                title=title,
                isbn=isbn,
                copies=int(copies or 1),
                condition=condition or ItemCondition.GOOD,
            )
        )
    return entries


@staff_required("acquisitions.change")
def donation_add(request: HttpRequest) -> HttpResponse:
    form = DonationForm(
        request.POST or None,
        initial={"donor": request.GET.get("donor"), "received_on": timezone.localdate()},
    )
    form.fields["library"].queryset = libraries(request)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            donation = donation_record(
                donor=data["donor"],
                library=data["library"],
                received_on=data["received_on"],
                items=parse_donated_items(data["items"]),
                notes=data["notes"],
                actor=desk_actor(request),
            )
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Donation recorded: decide on each item."))
            return redirect("web:acq-donation", pk=donation.pk)
    return form_page(
        request,
        form,
        title=_("Record a donation"),
        back=reverse("web:acq-donations"),
        intro=_("A new donor? Add them first."),
    )


@staff_required("acquisitions.view")
def donation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    donation = get_object_or_404(Donation.objects.select_related("donor", "library"), pk=pk)
    check_library(request, donation.library_id, "acquisitions.view")
    points = ServicePoint.objects.filter(library_id=donation.library_id).order_by("code")
    if request.method == "POST":
        check_library(request, donation.library_id, "acquisitions.change")
        item = get_object_or_404(DonatedItem, pk=post_pk(request, "item"), donation=donation)
        decision = request.POST.get("decision", "")

        def pick(model: Any, name: str, rows: Any) -> Any:
            value = request.POST.get(name, "")
            return rows.filter(pk=value).first() if value.isdecimal() else None

        try:
            donated_item_decide(
                donated_item=item,
                decision=decision,
                actor=desk_actor(request),
                note=request.POST.get("note", ""),
                service_point=pick(ServicePoint, "service_point", points),
                collection=pick(Collection, "collection", Collection.objects.all()),
                passed_to=pick(ServicePoint, "passed_to", ServicePoint.objects.all()),
                barcodes=(request.POST.get("barcodes") or "").replace(",", " ").split(),
            )
        except ShufangError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("web:acq-donation", pk=donation.pk)
    return render(
        request,
        "web/staff/acquisitions/donation.html",
        {
            "donation": donation,
            "items": donation.items.select_related("passed_to").prefetch_related("items"),
            "points": points,
            "reading_points": ServicePoint.objects.order_by("code"),
            "collections": Collection.objects.order_by("code"),
            "decisions": [c for c in DonationDecision.choices if c[0] != DonationDecision.PENDING],
            "may_change": may_change(request),
        },
    )


# --------------------------------------------------------------------------- local documents


@staff_required("acquisitions.view")
def local_documents(request: HttpRequest) -> HttpResponse:
    rows = scoped(
        LocalDocument.objects.select_related("item__record", "item__home_service_point"),
        request,
        "acquisitions.view",
        "item__home_service_point__library_id",
    ).order_by("local_subject", "pk")
    subject = request.GET.get("subject", "").strip()
    if subject:
        rows = rows.filter(local_subject__icontains=subject)
    if request.GET.get("manuscripts"):
        rows = rows.filter(manuscript=True)
    return render(
        request,
        "web/staff/acquisitions/local_documents.html",
        {"documents": rows[:200], "subject": subject, "may_change": may_change(request)},
    )


class LocalDocumentForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    record_id = forms.IntegerField(label=_("or record number"), required=False, min_value=1)
    title = forms.CharField(
        label=_("Title (when not in the catalogue)"), max_length=500, required=False
    )
    barcode = forms.CharField(label=_("Barcode"), max_length=32)
    service_point = forms.ModelChoiceField(label=_("Kept at"), queryset=Donor.objects.none())
    collection = forms.ModelChoiceField(
        label=_("Collection (not lent)"),
        queryset=Collection.objects.filter(loanable=False).order_by("code"),
    )
    price = forms.DecimalField(
        label=_("Price"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    acquired_on = forms.DateField(label=_("Acquired on"), widget=date_input(), required=False)
    provenance = forms.CharField(label=_("Provenance"), max_length=500)
    local_subject = forms.CharField(label=_("Local subject"), max_length=200)
    manuscript = forms.BooleanField(label=_("Manuscript of a local author"), required=False)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    custody_location = forms.CharField(label=_("Kept in"), max_length=200, required=False)
    custody_conditions = forms.CharField(
        label=_("Custody conditions"), max_length=300, required=False
    )
    access_note = forms.CharField(label=_("Access"), max_length=300, required=False)


@staff_required("acquisitions.change")
def local_document_add_view(request: HttpRequest) -> HttpResponse:
    form = LocalDocumentForm(request.POST or None)
    form.fields["service_point"].queryset = service_points(request)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actor = desk_actor(request)
        try:
            record = order_record_find_or_create(
                actor=actor,
                isbn=data.pop("isbn"),
                record_id=data.pop("record_id"),
                title=data.pop("title"),
            )
            local_document_add(record=record, actor=actor, **data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Local document added."))
            return redirect("web:acq-local-documents")
    return form_page(
        request, form, title=_("Add a local document"), back=reverse("web:acq-local-documents")
    )


class LocalDocumentEditForm(forms.Form):
    provenance = forms.CharField(label=_("Provenance"), max_length=500)
    local_subject = forms.CharField(label=_("Local subject"), max_length=200)
    author = forms.CharField(label=_("Author"), max_length=200, required=False)
    custody_location = forms.CharField(label=_("Kept in"), max_length=200, required=False)
    custody_conditions = forms.CharField(
        label=_("Custody conditions"), max_length=300, required=False
    )
    access_note = forms.CharField(label=_("Access"), max_length=300, required=False)


@staff_required("acquisitions.change")
def local_document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        LocalDocument.objects.select_related("item__record", "item__home_service_point"), pk=pk
    )
    check_library(request, document.item.home_service_point.library_id, "acquisitions.change")
    initial = {name: getattr(document, name) for name in LocalDocumentEditForm.base_fields}
    form = LocalDocumentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            local_document_update(document=document, actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Local document saved."))
            return redirect("web:acq-local-documents")
    return form_page(
        request,
        form,
        title=f"{document.item.record.title} ({document.item.barcode})",
        back=reverse("web:acq-local-documents"),
    )
