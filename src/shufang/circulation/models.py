"""Circulation: the rules matrix, loans, holds, transits, fines, closures, service modes,
quarantine, deposit collections, notices, and the statistics-safe event log.

State changes of loans and holds follow the tables in `circulation.states`; item status changes
go through `catalogue.states.next_status`. Partial unique constraints make the two races that
matter impossible in the database itself: one item cannot have two open loans, and one item
cannot be trapped for two holds."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class CirculationChannel(models.TextChoices):
    DESK = "desk", _("Desk")
    SELF_SERVICE = "self_service", _("Self-service")
    DEPOSIT = "deposit", _("Deposit")
    OPAC = "opac", _("Online (reader)")
    SYSTEM = "system", _("System")


# --------------------------------------------------------------------------- rules


class LoanRule(TimeStampedModel):
    """One row of the rules matrix. Empty scope columns match anything; the most specific
    matching row wins (see `circulation.rules`)."""

    name = models.CharField(_("name"), max_length=200, blank=True)
    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    reader_category = models.ForeignKey(
        "readers.ReaderCategory",
        verbose_name=_("reader category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    collection = models.ForeignKey(
        "catalogue.Collection",
        verbose_name=_("collection"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    material_type = models.CharField(_("material type"), max_length=16, blank=True)

    loanable = models.BooleanField(_("may borrow"), default=True)
    loan_days = models.PositiveSmallIntegerField(_("loan period (days)"), default=30)
    max_loans = models.PositiveSmallIntegerField(_("maximum loans"), default=10)
    max_loans_in_collection = models.PositiveSmallIntegerField(
        _("maximum loans from this collection"), null=True, blank=True
    )
    renewals_allowed = models.PositiveSmallIntegerField(_("renewals allowed"), default=1)
    renewal_days = models.PositiveSmallIntegerField(_("renewal period (days)"), default=30)
    refuse_renewal_when_held = models.BooleanField(
        _("refuse renewal when another reader holds the record"), default=True
    )
    holds_allowed = models.BooleanField(_("holds allowed"), default=True)
    max_holds = models.PositiveSmallIntegerField(_("maximum holds"), default=5)
    hold_shelf_days = models.PositiveSmallIntegerField(_("hold shelf days"), default=7)
    fine_per_day = models.DecimalField(
        _("overdue fine per day"), max_digits=6, decimal_places=2, default=Decimal("0")
    )
    fine_grace_days = models.PositiveSmallIntegerField(_("fine grace days"), default=0)
    max_fines = models.DecimalField(
        _("maximum outstanding fines"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    max_overdue_items = models.PositiveSmallIntegerField(
        _("maximum overdue items"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("loan rule")
        verbose_name_plural = _("loan rules")

    def __str__(self) -> str:
        return self.name or f"rule {self.pk}"


# --------------------------------------------------------------------------- loans


class LoanStatus(models.TextChoices):
    ACTIVE = "active", _("On loan")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")
    CLAIMS_RETURNED = "claims_returned", _("Claimed returned")


OPEN_LOAN_STATUSES = (LoanStatus.ACTIVE, LoanStatus.CLAIMS_RETURNED)


class Loan(models.Model):
    item = models.ForeignKey(
        "catalogue.Item", verbose_name=_("item"), on_delete=models.PROTECT, related_name="loans"
    )
    # Set to NULL by anonymisation once the loan is closed (unless the reader keeps history).
    reader = models.ForeignKey(
        "readers.Reader",
        verbose_name=_("reader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    card = models.ForeignKey(
        "readers.Card",
        verbose_name=_("card"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deposit = models.ForeignKey(
        "circulation.Deposit",
        verbose_name=_("deposit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loans",
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("lent at"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=CirculationChannel.choices)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    device = models.CharField(_("device"), max_length=100, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), db_index=True)
    renewals = models.PositiveSmallIntegerField(_("renewals"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=LoanStatus.choices, default=LoanStatus.ACTIVE
    )
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    returned_at_service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("returned at"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule = models.ForeignKey(
        LoanRule,
        verbose_name=_("rule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    overrides = models.JSONField(_("blocks overridden"), default=list, blank=True)
    no_block = models.BooleanField(_("offline (no block) transaction"), default=False)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["active", "claims_returned"]),
                name="one_open_loan_per_item",
            )
        ]
        indexes = [
            models.Index(fields=["reader", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["status", "returned_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} → {self.reader_id}"


# --------------------------------------------------------------------------- holds


class HoldStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    IN_TRANSIT = "in_transit", _("In transit to pickup")
    READY = "ready", _("Ready on the hold shelf")
    FULFILLED = "fulfilled", _("Collected")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class Hold(models.Model):
    """A reader's claim on a record (any copy) or on one item. The queue is FIFO by
    `placed_at`, ties broken by `id`."""

    reader = models.ForeignKey(
        "readers.Reader", verbose_name=_("reader"), on_delete=models.PROTECT, related_name="holds"
    )
    record = models.ForeignKey(
        "catalogue.Record",
        verbose_name=_("record"),
        on_delete=models.PROTECT,
        related_name="holds",
    )
    item = models.ForeignKey(
        "catalogue.Item",
        verbose_name=_("specific item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="item_holds",
    )
    pickup_service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("pickup at"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=CirculationChannel.choices)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now, db_index=True)
    not_needed_after = models.DateField(_("not needed after"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=HoldStatus.choices,
        default=HoldStatus.WAITING,
        db_index=True,
    )
    trapped_item = models.ForeignKey(
        "catalogue.Item",
        verbose_name=_("item set aside"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="trapped_holds",
    )
    trapped_at = models.DateTimeField(_("set aside at"), null=True, blank=True)
    ready_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    shelf_expires_on = models.DateField(_("collect by"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        ordering = ["placed_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["trapped_item"],
                condition=Q(status__in=["in_transit", "ready"]),
                name="item_trapped_for_one_hold",
            )
        ]
        indexes = [models.Index(fields=["record", "status", "placed_at"])]

    def __str__(self) -> str:
        return f"hold {self.pk} ({self.status})"


# --------------------------------------------------------------------------- transits


class TransitReason(models.TextChoices):
    RETURN_HOME = "return_home", _("Going home")
    HOLD = "hold", _("For a hold")
    DEPOSIT = "deposit", _("Deposit collection")
    OTHER = "other", _("Other")


class Transit(models.Model):
    item = models.ForeignKey(
        "catalogue.Item",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="transits",
    )
    from_service_point = models.ForeignKey(
        "network.ServicePoint", verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    to_service_point = models.ForeignKey(
        "network.ServicePoint", verbose_name=_("to"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=TransitReason.choices)
    hold = models.ForeignKey(
        Hold,
        verbose_name=_("hold"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transits",
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("transit")
        verbose_name_plural = _("transits")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(received_at__isnull=True, cancelled_at__isnull=True),
                name="one_open_transit_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.from_service_point_id} → {self.to_service_point_id}"


# --------------------------------------------------------------------------- fines


class FineStatus(models.TextChoices):
    OUTSTANDING = "outstanding", _("Outstanding")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")


class Fine(models.Model):
    reader = models.ForeignKey(
        "readers.Reader", verbose_name=_("reader"), on_delete=models.PROTECT, related_name="fines"
    )
    loan = models.ForeignKey(
        Loan,
        verbose_name=_("loan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fines",
    )
    kind = models.CharField(_("kind"), max_length=16, default="overdue")
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    status = models.CharField(
        _("status"), max_length=12, choices=FineStatus.choices, default=FineStatus.OUTSTANDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("fine")
        verbose_name_plural = _("fines")
        indexes = [models.Index(fields=["reader", "status"])]

    def __str__(self) -> str:
        return f"{self.amount} ({self.status})"


# --------------------------------------------------------------------------- closures, modes


class Closure(TimeStampedModel):
    """An emergency closure of one service point, one library or (both empty) the whole
    network, with the calendar exception it created and what it moved."""

    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=300)
    calendar_exception = models.OneToOneField(
        "network.CalendarException",
        verbose_name=_("calendar entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closure",
    )
    loans_moved = models.PositiveIntegerField(_("loans moved"), default=0)
    holds_moved = models.PositiveIntegerField(_("holds moved"), default=0)

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="closure_dates_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.start_date}–{self.end_date}: {self.reason}"


class ServiceMode(models.TextChoices):
    NORMAL = "normal", _("Normal service")
    CLOSED_STACK = "closed_stack", _("Closed-stack lending")
    LENDING_ONLY = "lending_only", _("Lending only (no reading room, no events)")


class ServiceModePeriod(TimeStampedModel):
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.CASCADE,
        related_name="service_modes",
    )
    mode = models.CharField(_("mode"), max_length=16, choices=ServiceMode.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service mode period")
        verbose_name_plural = _("service mode periods")
        ordering = ["service_point", "start_date"]

    def __str__(self) -> str:
        return f"{self.service_point_id} {self.mode} from {self.start_date}"


# --------------------------------------------------------------------------- quarantine


class QuarantinePolicy(TimeStampedModel):
    service_point = models.OneToOneField(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.CASCADE,
        related_name="quarantine_policy",
    )
    hours = models.PositiveSmallIntegerField(_("quarantine hours"), default=0)

    class Meta:
        verbose_name = _("quarantine policy")
        verbose_name_plural = _("quarantine policies")

    def __str__(self) -> str:
        return f"{self.service_point_id}: {self.hours} h"


class QuarantineEntry(models.Model):
    item = models.ForeignKey(
        "catalogue.Item",
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        related_name="quarantines",
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends at"), db_index=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_to = models.CharField(_("released to"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("quarantine entry")
        verbose_name_plural = _("quarantine entries")
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(released_at__isnull=True),
                name="one_open_quarantine_per_item",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id} until {self.ends_at}"


class DisinfectionRun(TimeStampedModel):
    """One run of a book disinfection machine."""

    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    machine = models.CharField(_("machine"), max_length=100)
    started_at = models.DateTimeField(_("started at"))
    minutes = models.PositiveSmallIntegerField(_("minutes"))
    items_count = models.PositiveIntegerField(_("items"), default=0)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("disinfection run")
        verbose_name_plural = _("disinfection runs")

    def __str__(self) -> str:
        return f"{self.machine} {self.started_at:%Y-%m-%d %H:%M}"


# --------------------------------------------------------------------------- deposits


class DepositStatus(models.TextChoices):
    OPEN = "open", _("Lent")
    RETURNED = "returned", _("Returned")


class Deposit(TimeStampedModel):
    """A batch of items lent to an outreach point or a group account (集体外借)."""

    name = models.CharField(_("name"), max_length=200)
    borrower = models.ForeignKey(
        "readers.Reader",
        verbose_name=_("group account"),
        on_delete=models.PROTECT,
        related_name="deposits",
    )
    destination = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("outreach point"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deposits_received",
    )
    lent_from = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("lent from"),
        on_delete=models.PROTECT,
        related_name="deposits_sent",
    )
    lent_on = models.DateField(_("lent on"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=DepositStatus.choices, default=DepositStatus.OPEN
    )
    returned_on = models.DateField(_("returned on"), null=True, blank=True)

    class Meta:
        verbose_name = _("deposit collection")
        verbose_name_plural = _("deposit collections")

    def __str__(self) -> str:
        return self.name


# --------------------------------------------------------------------------- notices


class NoticeKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    HOLD_READY = "hold_ready", _("Hold ready")
    HOLD_EXPIRING = "hold_expiring", _("Hold expiring")
    CLOSURE = "closure", _("Closure announcement")
    # Written by acquisitions (acquisitions/notices.py): a suggestion decided or arrived.
    SUGGESTION = "suggestion", _("Reader suggestion")


class NoticeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("No channel")


class Notice(models.Model):
    """Every notice to a reader, recorded. `dedupe_key` is unique: the same notice can never
    be created twice, however many servers run the job."""

    reader = models.ForeignKey(
        "readers.Reader",
        verbose_name=_("reader"),
        on_delete=models.CASCADE,
        related_name="notices",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=NoticeKind.choices)
    channel = models.CharField(_("channel"), max_length=16, blank=True)
    dedupe_key = models.CharField(_("key"), max_length=200, unique=True)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return f"{self.kind} → {self.reader_id}"


# --------------------------------------------------------------------------- statistics


class EventKind(models.TextChoices):
    CHECKOUT = "checkout", _("Loan")
    RENEWAL = "renewal", _("Renewal")
    CHECKIN = "checkin", _("Return")
    HOLD_PLACED = "hold_placed", _("Hold placed")
    HOLD_FULFILLED = "hold_fulfilled", _("Hold collected")


class CirculationEvent(models.Model):
    """A compact, anonymous row per circulation transaction with the dimensions the reports
    need. It holds no reader identity, so anonymising loans never changes a past figure."""

    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(_("at"))
    day = models.DateField(_("day"), db_index=True)
    library = models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=CirculationChannel.choices)
    reader_category = models.CharField(_("reader category"), max_length=32, blank=True)
    age_band = models.CharField(_("age band"), max_length=8, blank=True)
    collection = models.ForeignKey(
        "catalogue.Collection",
        verbose_name=_("collection"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    juvenile_collection = models.BooleanField(_("juvenile collection"), default=False)
    material_type = models.CharField(_("material type"), max_length=16, blank=True)
    clc_class = models.CharField(_("CLC main class"), max_length=4, blank=True)
    item = models.ForeignKey(
        "catalogue.Item",
        verbose_name=_("item"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deposit = models.BooleanField(_("deposit loan"), default=False)

    class Meta:
        verbose_name = _("circulation event")
        verbose_name_plural = _("circulation events")
        indexes = [models.Index(fields=["kind", "day"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.day}"
