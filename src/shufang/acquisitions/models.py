"""Acquisitions (采访): budgets, vendors, reader suggestions (荐购), orders and receiving,
invoices, claims, in-bookshop lending (你选书我买单), donations (捐赠) and local documents
(地方文献).

Rows change only through the services in `acquisitions.services`; amounts committed, spent and
remaining are computed by `acquisitions.selectors`, never stored twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.catalogue.models import AcquisitionSource
from shufang.core.models import TimeStampedModel

# --------------------------------------------------------------------------- budgets


class Fund(TimeStampedModel):
    """A fiscal year's acquisitions money of a library (经费), split into budget lines."""

    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("fiscal year"))
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [
            models.UniqueConstraint(fields=["library", "year", "name"], name="fund_once_a_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"


class BudgetLine(TimeStampedModel):
    """A budget line (预算) of a fund: e.g. periodicals 70,000, reader suggestions 100,000."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="lines"
    )
    code = models.CharField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    warn_at_percent = models.PositiveSmallIntegerField(_("warn at (percent used)"), default=90)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(fields=["fund", "code"], name="budget_line_code_once")
        ]

    def __str__(self) -> str:
        return f"{self.fund.year} {self.name}"


# --------------------------------------------------------------------------- vendors


class VendorKind(models.TextChoices):
    BOOKSHOP = "bookshop", _("Bookshop")
    AGENT = "agent", _("Subscription agent")
    PUBLISHER = "publisher", _("Publisher")
    OTHER = "other", _("Other")


class Vendor(TimeStampedModel):
    """A bookshop (新华书店), a subscription agent (the post office), a publisher (书商)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=VendorKind.choices)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    claim_after_days = models.PositiveSmallIntegerField(_("claim after (days)"), default=60)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("vendor")
        verbose_name_plural = _("vendors")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- suggestions


class SuggestionRule(TimeStampedModel):
    """The review rules of reader suggestions, as data (one row per library)."""

    library = models.OneToOneField(
        "network.Library",
        verbose_name=_("library"),
        on_delete=models.CASCADE,
        related_name="suggestion_rule",
    )
    price_cap = models.DecimalField(
        _("price cap"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    # CLC class prefixes not bought on suggestion, comma separated (e.g. "G6,H3,O1").
    excluded_classes = models.CharField(_("excluded classes"), max_length=500, blank=True)
    yearly_quota = models.PositiveSmallIntegerField(
        _("suggestions per reader and year"), default=10
    )
    copies_per_title = models.PositiveSmallIntegerField(_("copies per title"), default=1)
    budget_line = models.ForeignKey(
        BudgetLine,
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    bookshop_enabled = models.BooleanField(_("in-bookshop lending"), default=False)

    class Meta:
        verbose_name = _("suggestion rule")
        verbose_name_plural = _("suggestion rules")

    def excluded(self) -> list[str]:
        return [c.strip().upper() for c in self.excluded_classes.split(",") if c.strip()]

    def __str__(self) -> str:
        return str(self.library)


class SuggestionChannel(models.TextChoices):
    ACCOUNT = "account", _("Reader account")
    DESK = "desk", _("Desk")
    API = "api", _("API")
    BOOKSHOP = "bookshop", _("In-bookshop")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved, ordered")
    DECLINED = "declined", _("Declined")
    RECEIVED = "received", _("Received")
    LENT = "lent", _("Bought and lent in the bookshop")


class Suggestion(TimeStampedModel):
    """One suggested title at one library. Repeated suggestions of the title (same ISBN, or the
    same title when there is no ISBN) while it is open are merged into it: each reader appears
    once in `requests`, and `request_count` counts them."""

    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    title_key = models.CharField(max_length=500, db_index=True)
    authors = models.CharField(_("authors"), max_length=500, blank=True)
    publisher = models.CharField(_("publisher"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    clc = models.CharField(_("CLC class number"), max_length=64, blank=True)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=SuggestionStatus.choices,
        default=SuggestionStatus.PENDING,
        db_index=True,
    )
    request_count = models.PositiveIntegerField(_("times suggested"), default=1)
    reason = models.CharField(_("reason given to the reader"), max_length=500, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    record = models.ForeignKey(
        "catalogue.Record",
        verbose_name=_("record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("reader suggestion")
        verbose_name_plural = _("reader suggestions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class SuggestionRequest(models.Model):
    """One reader's asking for a suggested title (the unit of the yearly quota)."""

    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("suggestion"), on_delete=models.CASCADE, related_name="requests"
    )
    reader = models.ForeignKey(
        "readers.Reader", verbose_name=_("reader"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=SuggestionChannel.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    hold = models.ForeignKey(
        "circulation.Hold",
        verbose_name=_("hold"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("suggestion request")
        verbose_name_plural = _("suggestion requests")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "reader"], name="one_request_per_reader")
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} ← {self.reader_id}"


# --------------------------------------------------------------------------- orders


class OrderStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


class Order(TimeStampedModel):
    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="orders"
    )
    number = models.CharField(_("order number"), max_length=40, unique=True)
    ordered_on = models.DateField(_("ordered on"))
    status = models.CharField(
        _("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    # defaults for its lines
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    collection = models.ForeignKey(
        "catalogue.Collection",
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_on", "-pk"]

    def __str__(self) -> str:
        return self.number


class OrderLineStatus(models.TextChoices):
    OPEN = "open", _("On order")
    PARTLY_RECEIVED = "partly", _("Partly received")
    RECEIVED = "received", _("Received")
    CANCELLED = "cancelled", _("Cancelled")


class OrderLine(TimeStampedModel):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="lines"
    )
    record = models.ForeignKey(
        "catalogue.Record", verbose_name=_("record"), on_delete=models.PROTECT, related_name="+"
    )
    suggestion = models.ForeignKey(
        Suggestion,
        verbose_name=_("suggestion"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
    )
    copies = models.PositiveIntegerField(_("copies"))
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("destination"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    collection = models.ForeignKey(
        "catalogue.Collection",
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    acquisition_source = models.CharField(
        _("acquisition source"), max_length=20, choices=AcquisitionSource.choices
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=OrderLineStatus.choices,
        default=OrderLineStatus.OPEN,
        db_index=True,
    )
    copies_received = models.PositiveIntegerField(_("copies received"), default=0)
    copies_cancelled = models.PositiveIntegerField(_("copies cancelled"), default=0)
    copies_invoiced = models.PositiveIntegerField(_("copies invoiced"), default=0)
    expected_by = models.DateField(_("expected by"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(copies_received__lte=models.F("copies")),
                name="received_within_ordered",
            )
        ]

    @property
    def copies_outstanding(self) -> int:
        return max(0, self.copies - self.copies_received - self.copies_cancelled)

    def __str__(self) -> str:
        return f"{self.order.number}/{self.pk}"


class Receipt(models.Model):
    """A delivery of copies of one order line (partial or whole)."""

    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="receipts"
    )
    received_on = models.DateField(_("received on"))
    copies = models.PositiveIntegerField(_("copies"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    items = models.ManyToManyField("catalogue.Item", verbose_name=_("items"), related_name="+")

    class Meta:
        verbose_name = _("receipt")
        verbose_name_plural = _("receipts")

    def __str__(self) -> str:
        return f"{self.order_line_id} × {self.copies}"


class OrderClaim(models.Model):
    """A claim (催缺) sent to the vendor for copies that are late."""

    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="claims"
    )
    claimed_on = models.DateField(_("claimed on"))
    copies = models.PositiveIntegerField(_("copies"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("order claim")
        verbose_name_plural = _("order claims")

    def __str__(self) -> str:
        return f"{self.order_line_id} {self.claimed_on}"


class Invoice(TimeStampedModel):
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="invoices"
    )
    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("invoice number"), max_length=60)
    invoiced_on = models.DateField(_("invoice date"))

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "number"], name="invoice_number_per_vendor")
        ]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    """Money spent on a budget line: for copies of an order line, a bookshop purchase, or a
    subscription."""

    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="+"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoice_lines",
    )
    copies = models.PositiveIntegerField(_("copies"), default=1)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    description = models.CharField(_("description"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.amount}"


# --------------------------------------------------------------------------- in-bookshop


class BookshopTerminal(TimeStampedModel):
    """A partner bookshop's terminal (你选书我买单). It authenticates with its code and a
    secret of which only a SHA-256 digest is kept (the secret is 32 random bytes, so a fast
    digest is enough)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    vendor = models.ForeignKey(
        Vendor, verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="terminals"
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("lending service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    collection = models.ForeignKey(
        "catalogue.Collection",
        verbose_name=_("collection"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    budget_line = models.ForeignKey(
        BudgetLine, verbose_name=_("budget line"), on_delete=models.PROTECT, related_name="+"
    )
    secret_digest = models.CharField(max_length=64)
    barcode_prefix = models.CharField(_("barcode prefix"), max_length=8, default="BS")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("bookshop terminal")
        verbose_name_plural = _("bookshop terminals")

    def __str__(self) -> str:
        return self.name


class BookshopPurchase(models.Model):
    """A book bought in a bookshop for a reader and lent to them at once. The terminal's
    idempotency key is unique per terminal: a replayed request finds this row."""

    terminal = models.ForeignKey(
        BookshopTerminal,
        verbose_name=_("terminal"),
        on_delete=models.PROTECT,
        related_name="purchases",
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=80)
    payload_digest = models.CharField(max_length=64)
    reader = models.ForeignKey(
        "readers.Reader", verbose_name=_("reader"), on_delete=models.PROTECT, related_name="+"
    )
    isbn = models.CharField(_("ISBN"), max_length=13)
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2)
    item = models.ForeignKey(
        "catalogue.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    loan = models.ForeignKey(
        "circulation.Loan", verbose_name=_("loan"), on_delete=models.PROTECT, related_name="+"
    )
    suggestion = models.ForeignKey(
        Suggestion, verbose_name=_("suggestion"), on_delete=models.PROTECT, related_name="+"
    )
    invoice_line = models.ForeignKey(
        InvoiceLine,
        verbose_name=_("invoice line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookshop_purchases",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("bookshop purchase")
        verbose_name_plural = _("bookshop purchases")
        constraints = [
            models.UniqueConstraint(
                fields=["terminal", "idempotency_key"], name="bookshop_request_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.terminal_id}:{self.idempotency_key}"


# --------------------------------------------------------------------------- donations


class DonorKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class Donor(TimeStampedModel):
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DonorKind.choices)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")

    @property
    def display_name(self) -> str:
        return str(_("Anonymous donor")) if self.anonymous or not self.name else self.name

    def __str__(self) -> str:
        return self.display_name


class Donation(TimeStampedModel):
    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations"
    )
    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField(_("received on"))
    certificate_number = models.CharField(_("certificate number"), max_length=40, unique=True)
    notes = models.CharField(_("notes"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-pk"]

    def __str__(self) -> str:
        return self.certificate_number


class ItemCondition(models.TextChoices):
    NEW = "new", _("New")
    GOOD = "good", _("Good")
    WORN = "worn", _("Worn")
    DAMAGED = "damaged", _("Damaged")


class DonationDecision(models.TextChoices):
    PENDING = "pending", _("Not yet decided")
    ADDED = "added", _("Added to the collection")
    PASSED_ON = "passed_on", _("Passed on to a reading point")
    DECLINED = "declined", _("Declined")


class DonatedItem(models.Model):
    donation = models.ForeignKey(
        Donation, verbose_name=_("donation"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(_("title"), max_length=500)
    isbn = models.CharField(_("ISBN"), max_length=13, blank=True)
    copies = models.PositiveIntegerField(_("copies"), default=1)
    condition = models.CharField(_("condition"), max_length=12, choices=ItemCondition.choices)
    decision = models.CharField(
        _("decision"),
        max_length=12,
        choices=DonationDecision.choices,
        default=DonationDecision.PENDING,
    )
    decision_note = models.CharField(_("note on the decision"), max_length=300, blank=True)
    passed_to = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("passed on to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    items = models.ManyToManyField("catalogue.Item", verbose_name=_("items"), related_name="+")

    class Meta:
        verbose_name = _("donated item")
        verbose_name_plural = _("donated items")

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- local documents


class LocalDocument(TimeStampedModel):
    """What the library knows of a local document (地方文献) beyond its record: where it came
    from, the local subject, and for manuscripts (名人手稿) who keeps it and how."""

    item = models.OneToOneField(
        "catalogue.Item",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="local_document",
    )
    provenance = models.CharField(_("provenance"), max_length=500)
    local_subject = models.CharField(_("local subject"), max_length=200, db_index=True)
    manuscript = models.BooleanField(_("manuscript"), default=False)
    author = models.CharField(_("author"), max_length=200, blank=True)
    custody_location = models.CharField(_("kept in"), max_length=200, blank=True)
    custody_conditions = models.CharField(_("custody conditions"), max_length=300, blank=True)
    access_note = models.CharField(_("access"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("local document")
        verbose_name_plural = _("local documents")

    def __str__(self) -> str:
        return f"{self.local_subject}: {self.item_id}"
