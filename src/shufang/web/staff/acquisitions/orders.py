"""Staff pages for orders (create, add lines, receive partly or whole, cancel), claims for
late orders, invoices, and the bookshop invoice reconciliation; the orders export."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.acquisitions.models import (
    BudgetLine,
    Invoice,
    Order,
    OrderClaim,
    OrderLine,
    OrderStatus,
    Vendor,
)
from shufang.acquisitions.selectors import invoice_total, order_lines_to_claim
from shufang.acquisitions.services.bookshop import bookshop_invoice_reconcile
from shufang.acquisitions.services.orders import (
    invoice_create,
    invoice_line_add,
    order_create,
    order_line_add,
    order_line_cancel,
    order_line_claim,
    order_line_receive,
    order_record_find_or_create,
)
from shufang.catalogue.models import AcquisitionSource, Collection
from shufang.core.exceptions import ShufangError, ValidationFailed
from shufang.web.access import desk_actor, staff_required
from shufang.web.staff.acquisitions.common import (
    check_library,
    date_input,
    form_page,
    libraries,
    may_change,
    money,
    post_pk,
    scoped,
    service_points,
    xlsx_response,
)

# --------------------------------------------------------------------------- orders


def _orders(request: HttpRequest) -> Any:
    rows = Order.objects.select_related("vendor", "library", "budget_line")
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        rows = rows.filter(status=status)
    return scoped(rows, request, "acquisitions.view", "library_id").order_by("-ordered_on", "-pk")


@staff_required("acquisitions.view")
def orders(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/staff/acquisitions/orders.html",
        {
            "orders": _orders(request)[:200],
            "statuses": OrderStatus.choices,
            "status": request.GET.get("status", ""),
            "may_change": may_change(request),
        },
    )


@staff_required("acquisitions.view")
def orders_xlsx(request: HttpRequest) -> HttpResponse:
    lines = (
        scoped(OrderLine.objects.all(), request, "acquisitions.view", "order__library_id")
        .select_related("order__vendor", "record", "budget_line", "service_point", "collection")
        .order_by("order__ordered_on", "order__number", "pk")
    )
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        lines = lines.filter(order__status=status)
    headings = [
        _("Order number"),
        _("Ordered on"),
        _("Vendor"),
        _("Title"),
        _("ISBN"),
        _("Copies"),
        _("Unit price"),
        _("Budget line"),
        _("Destination"),
        _("Collection"),
        _("Acquisition source"),
        _("Status"),
        _("Copies received"),
        _("Copies cancelled"),
        _("Copies invoiced"),
    ]
    rows = [
        [
            line.order.number,
            line.order.ordered_on,
            line.order.vendor.name,
            line.record.title,
            line.record.isbn,
            line.copies,
            money(line.unit_price),
            line.budget_line.name,
            line.service_point.name,
            line.collection.name,
            line.get_acquisition_source_display(),
            line.get_status_display(),
            line.copies_received,
            line.copies_cancelled,
            line.copies_invoiced,
        ]
        for line in lines
    ]
    return xlsx_response("orders.xlsx", headings, rows)


class OrderForm(forms.Form):
    number = forms.CharField(label=_("Order number"), max_length=40)
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    service_point = forms.ModelChoiceField(label=_("Destination"), queryset=Vendor.objects.none())
    collection = forms.ModelChoiceField(
        label=_("Collection"), queryset=Collection.objects.order_by("code")
    )
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=Vendor.objects.none())
    ordered_on = forms.DateField(label=_("Ordered on"), widget=date_input(), required=False)
    notes = forms.CharField(label=_("Notes"), max_length=500, required=False)


def _lines_for(request: HttpRequest) -> Any:
    return scoped(
        BudgetLine.objects.select_related("fund"),
        request,
        "acquisitions.change",
        "fund__library_id",
    ).order_by("-fund__year", "code")


@staff_required("acquisitions.change")
def order_add(request: HttpRequest) -> HttpResponse:
    form = OrderForm(request.POST or None)
    form.fields["vendor"].queryset = Vendor.objects.filter(active=True)  # type: ignore[attr-defined]
    form.fields["service_point"].queryset = service_points(request)  # type: ignore[attr-defined]
    form.fields["budget_line"].queryset = _lines_for(request)  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            order = order_create(
                library=data["service_point"].library, actor=desk_actor(request), **data
            )
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Order created: add its lines."))
            return redirect("web:acq-order", pk=order.pk)
    return form_page(request, form, title=_("New order"), back=reverse("web:acq-orders"))


class OrderLineForm(forms.Form):
    isbn = forms.CharField(label=_("ISBN"), max_length=20, required=False)
    record_id = forms.IntegerField(label=_("or record number"), required=False, min_value=1)
    title = forms.CharField(
        label=_("Title (when the ISBN is not in the catalogue)"), max_length=500, required=False
    )
    authors = forms.CharField(label=_("Author"), max_length=500, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False)
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=10, decimal_places=2)
    budget_line = forms.ModelChoiceField(
        label=_("Budget line (default: the order's)"),
        queryset=BudgetLine.objects.none(),
        required=False,
    )
    service_point = forms.ModelChoiceField(
        label=_("Destination (default: the order's)"),
        queryset=BudgetLine.objects.none(),
        required=False,
    )
    collection = forms.ModelChoiceField(
        label=_("Collection (default: the order's)"),
        queryset=Collection.objects.order_by("code"),
        required=False,
    )
    acquisition_source = forms.ChoiceField(
        label=_("Acquisition source"),
        choices=[
            c for c in AcquisitionSource.choices if c[0] != AcquisitionSource.READER_SUGGESTION
        ],
        initial=AcquisitionSource.PURCHASE,
    )
    expected_by = forms.DateField(label=_("Expected by"), widget=date_input(), required=False)
    allow_overspend = forms.BooleanField(label=_("Allow overspending the line"), required=False)


class ReceiveForm(forms.Form):
    line = forms.IntegerField()
    copies = forms.IntegerField(min_value=1)
    barcodes = forms.CharField(required=False)


def _order_action(request: HttpRequest, order: Order) -> None:
    """One of the line actions of the order page (receive, cancel, claim)."""
    action = request.POST.get("action", "")
    line = get_object_or_404(OrderLine, pk=post_pk(request, "line"), order=order)
    actor = desk_actor(request)
    if action == "receive":
        try:
            copies = int(request.POST.get("copies") or line.copies_outstanding)
        except ValueError:
            raise ValidationFailed(_("Give the number of copies."), field="copies") from None
        barcodes = (request.POST.get("barcodes") or "").replace(",", " ").split()
        receipt = order_line_receive(line=line, copies=copies, actor=actor, barcodes=barcodes)
        codes = ", ".join(receipt.items.order_by("barcode").values_list("barcode", flat=True))
        messages.success(
            request,
            _("Received %(n)s copies, in processing: %(codes)s") % {"n": copies, "codes": codes},
        )
    elif action == "cancel":
        order_line_cancel(line=line, reason=request.POST.get("reason", ""), actor=actor)
        messages.success(request, _("The outstanding copies are cancelled."))
    elif action == "claim":
        order_line_claim(line=line, actor=actor, note=request.POST.get("note", ""))
        messages.success(request, _("Claim recorded."))
    else:
        raise ValidationFailed(_("Unknown action."))


@staff_required("acquisitions.view")
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.select_related("vendor", "library", "service_point", "budget_line"), pk=pk
    )
    check_library(request, order.library_id, "acquisitions.view")
    form = OrderLineForm(request.POST if request.POST.get("action") == "add" else None)
    form.fields["budget_line"].queryset = BudgetLine.objects.filter(  # type: ignore[attr-defined]
        fund__library_id=order.library_id
    ).select_related("fund")
    form.fields["service_point"].queryset = (  # type: ignore[attr-defined]
        order.library.service_points.order_by("code")
    )
    if request.method == "POST":
        check_library(request, order.library_id, "acquisitions.change")
        actor = desk_actor(request)
        if request.POST.get("action") == "add":
            if form.is_valid():
                data = form.cleaned_data
                try:
                    record = order_record_find_or_create(
                        actor=actor,
                        isbn=data["isbn"],
                        record_id=data["record_id"],
                        title=data["title"],
                        authors=data["authors"],
                        publisher=data["publisher"],
                        price=data["unit_price"],
                    )
                    order_line_add(
                        order=order,
                        record=record,
                        copies=data["copies"],
                        unit_price=data["unit_price"],
                        actor=actor,
                        budget_line=data["budget_line"],
                        service_point=data["service_point"],
                        collection=data["collection"],
                        acquisition_source=data["acquisition_source"],
                        expected_by=data["expected_by"],
                        allow_overspend=data["allow_overspend"],
                    )
                except ShufangError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _("Line added."))
                    return redirect("web:acq-order", pk=order.pk)
        else:
            try:
                _order_action(request, order)
            except ShufangError as error:
                messages.error(request, str(error.message))
            return redirect("web:acq-order", pk=order.pk)
    lines = order.lines.select_related(
        "record", "budget_line", "service_point", "collection"
    ).order_by("pk")
    return render(
        request,
        "web/staff/acquisitions/order.html",
        {
            "order": order,
            "lines": lines,
            "form": form,
            "may_change": may_change(request) and order.status == OrderStatus.OPEN,
        },
    )


# --------------------------------------------------------------------------- claims


@staff_required("acquisitions.view")
def claims(request: HttpRequest) -> HttpResponse:
    late = scoped(order_lines_to_claim(), request, "acquisitions.view", "order__library_id")
    if request.method == "POST":
        line = get_object_or_404(late, pk=post_pk(request, "line"))
        check_library(request, line.order.library_id, "acquisitions.change")
        try:
            order_line_claim(
                line=line, actor=desk_actor(request), note=request.POST.get("note", "")
            )
        except ShufangError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Claim recorded."))
        return redirect("web:acq-claims")
    sent = scoped(
        OrderClaim.objects.select_related("order_line__order__vendor", "order_line__record"),
        request,
        "acquisitions.view",
        "order_line__order__library_id",
    ).order_by("-claimed_on", "-pk")[:100]
    return render(
        request,
        "web/staff/acquisitions/claims.html",
        {"late": late, "sent": sent, "may_change": may_change(request)},
    )


# --------------------------------------------------------------------------- invoices


@staff_required("acquisitions.view")
def invoices(request: HttpRequest) -> HttpResponse:
    rows = scoped(
        Invoice.objects.select_related("vendor", "library"),
        request,
        "acquisitions.view",
        "library_id",
    ).order_by("-invoiced_on", "-pk")[:200]
    return render(
        request,
        "web/staff/acquisitions/invoices.html",
        {
            "invoices": [(i, invoice_total(invoice=i)) for i in rows],
            "may_change": may_change(request),
        },
    )


class InvoiceForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=Vendor.objects.none())
    vendor = forms.ModelChoiceField(label=_("Vendor"), queryset=Vendor.objects.none())
    number = forms.CharField(label=_("Invoice number"), max_length=60)
    invoiced_on = forms.DateField(label=_("Invoice date"), widget=date_input(), required=False)


@staff_required("acquisitions.change")
def invoice_add(request: HttpRequest) -> HttpResponse:
    form = InvoiceForm(request.POST or None)
    form.fields["library"].queryset = libraries(request)  # type: ignore[attr-defined]
    form.fields["vendor"].queryset = Vendor.objects.order_by("code")  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            invoice = invoice_create(actor=desk_actor(request), **form.cleaned_data)
        except ShufangError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Invoice recorded: add its lines."))
            return redirect("web:acq-invoice", pk=invoice.pk)
    return form_page(request, form, title=_("New invoice"), back=reverse("web:acq-invoices"))


class InvoiceLineForm(forms.Form):
    order_line = forms.ModelChoiceField(
        label=_("Order line"), queryset=OrderLine.objects.none(), required=False
    )
    budget_line = forms.ModelChoiceField(
        label=_("or budget line"), queryset=BudgetLine.objects.none(), required=False
    )
    copies = forms.IntegerField(label=_("Copies"), min_value=1, initial=1)
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)


class OrderLineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.order.number} · {obj.record.title} × {obj.copies} @ {obj.unit_price}"


@staff_required("acquisitions.view")
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("vendor", "library"), pk=pk)
    check_library(request, invoice.library_id, "acquisitions.view")
    form = InvoiceLineForm(request.POST or None)
    form.fields["order_line"] = OrderLineChoice(
        label=_("Order line"),
        required=False,
        queryset=OrderLine.objects.filter(
            order__vendor=invoice.vendor, order__library=invoice.library
        )
        .select_related("order", "record")
        .order_by("-pk"),
    )
    form.fields["budget_line"].queryset = BudgetLine.objects.filter(  # type: ignore[attr-defined]
        fund__library=invoice.library
    ).select_related("fund")
    if request.method == "POST":
        check_library(request, invoice.library_id, "acquisitions.change")
        if form.is_valid():
            try:
                invoice_line_add(invoice=invoice, actor=desk_actor(request), **form.cleaned_data)
            except ShufangError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Invoice line added."))
                return redirect("web:acq-invoice", pk=invoice.pk)
    return render(
        request,
        "web/staff/acquisitions/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.select_related("budget_line", "order_line__record").order_by(
                "pk"
            ),
            "total": invoice_total(invoice=invoice),
            "form": form,
            "may_change": may_change(request),
        },
    )


class ReconcileForm(forms.Form):
    lines = forms.CharField(
        label=_("The bookshop's invoice lines"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One line per book: ISBN and price, separated by a comma or a space."),
    )


def _parse_lines(text: str) -> list[tuple[str, Any]]:
    parsed = []
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = raw.replace(",", " ").replace("，", " ").replace("\t", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ValidationFailed(
                _("Line %(n)s: give an ISBN and a price.") % {"n": number}, line=number
            )
        try:
            Decimal(parts[1])
        except ArithmeticError:
            raise ValidationFailed(
                _("Line %(n)s: the price is not a number.") % {"n": number}, line=number
            ) from None
        parsed.append((parts[0], parts[1]))
    return parsed


@staff_required("acquisitions.change")
def invoice_reconcile(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = get_object_or_404(Invoice.objects.select_related("vendor", "library"), pk=pk)
    check_library(request, invoice.library_id, "acquisitions.change")
    form = ReconcileForm(request.POST or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = bookshop_invoice_reconcile(
                invoice=invoice,
                lines=_parse_lines(form.cleaned_data["lines"]),
                actor=desk_actor(request),
            )
        except ShufangError as error:
            form.add_error(None, error.message)
    return render(
        request,
        "web/staff/acquisitions/reconcile.html",
        {"invoice": invoice, "form": form, "result": result, "today": timezone.localdate()},
    )
