"""Serials (报刊): subscriptions per year, predicted issues, check-in (记到), claims (催缺),
retention and binding (装订) rules. Rows change only through `serials.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


class SerialKind(models.TextChoices):
    PERIODICAL = "periodical", _("Periodical")
    NEWSPAPER = "newspaper", _("Newspaper")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    SEMI_MONTHLY = "semimonthly", _("Semi-monthly")
    MONTHLY = "monthly", _("Monthly")
    BI_MONTHLY = "bimonthly", _("Bi-monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    IRREGULAR = "irregular", _("Irregular")


class SubscriptionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned (subscription round)")
    ORDERED = "ordered", _("Subscribed")
    CANCELLED = "cancelled", _("Cancelled")


class Subscription(TimeStampedModel):
    """One title subscribed for one year at one service point."""

    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    title = models.CharField(_("title"), max_length=300)
    issn = models.CharField(_("ISSN"), max_length=9, blank=True)
    cn_number = models.CharField(_("CN number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal distribution code"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=SerialKind.choices)
    frequency = models.CharField(_("frequency"), max_length=12, choices=Frequency.choices)
    vendor = models.ForeignKey(
        "acquisitions.Vendor", verbose_name=_("vendor"), on_delete=models.PROTECT, related_name="+"
    )
    budget_line = models.ForeignKey(
        "acquisitions.BudgetLine",
        verbose_name=_("budget line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit_price = models.DecimalField(_("price per copy and year"), max_digits=10, decimal_places=2)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.ORDERED,
    )
    record = models.ForeignKey(
        "catalogue.Record",
        verbose_name=_("record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    collection = models.ForeignKey(
        "catalogue.Collection",
        verbose_name=_("collection for barcoded issues"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Known publisher gaps: months without an issue (e.g. [2] for a combined Jan/Feb issue)
    # and single dates without one (ISO dates, e.g. the Spring Festival days of a daily).
    skip_months = models.JSONField(_("months without an issue"), default=list, blank=True)
    skip_dates = models.JSONField(_("dates without an issue"), default=list, blank=True)
    first_issue_on = models.DateField(_("first issue on"), null=True, blank=True)
    claim_after_days = models.PositiveSmallIntegerField(_("claim after (days)"), default=14)
    # retention and binding
    keep_years = models.PositiveSmallIntegerField(
        _("keep for (years, empty: permanently)"), null=True, blank=True
    )
    bind = models.BooleanField(_("bind"), default=False)
    issues_per_volume = models.PositiveSmallIntegerField(_("issues per bound volume"), default=12)
    invoice_line = models.ForeignKey(
        "acquisitions.InvoiceLine",
        verbose_name=_("invoice line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous year's subscription"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        ordering = ["year", "kind", "title"]

    @property
    def total_price(self) -> object:
        return self.unit_price * self.copies

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class IssueStatus(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    RECEIVED = "received", _("Checked in")
    CLAIMED = "claimed", _("Claimed")
    MISSING = "missing", _("Missing (given up)")
    BOUND = "bound", _("Bound")
    DISCARDED = "discarded", _("Discarded")


class Issue(models.Model):
    subscription = models.ForeignKey(
        Subscription,
        verbose_name=_("subscription"),
        on_delete=models.CASCADE,
        related_name="issues",
    )
    sequence = models.PositiveIntegerField(_("issue number in the year"))
    label = models.CharField(_("label"), max_length=60)
    expected_on = models.DateField(_("expected on"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=IssueStatus.choices,
        default=IssueStatus.EXPECTED,
        db_index=True,
    )
    received_on = models.DateField(_("checked in on"), null=True, blank=True)
    copies_received = models.PositiveSmallIntegerField(_("copies checked in"), default=0)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    items = models.ManyToManyField("catalogue.Item", verbose_name=_("items"), related_name="+")

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["subscription", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "sequence"], name="issue_number_once")
        ]

    def __str__(self) -> str:
        return self.label


class IssueClaim(models.Model):
    issue = models.ForeignKey(
        Issue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="claims"
    )
    claimed_on = models.DateField(_("claimed on"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("issue claim")
        verbose_name_plural = _("issue claims")

    def __str__(self) -> str:
        return f"{self.issue_id} {self.claimed_on}"
