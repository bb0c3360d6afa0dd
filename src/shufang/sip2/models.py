"""Device accounts of SIP2 self-service machines, and the failed-login log that throttles them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel

# Request codes a device may be allowed to send. Login (93), SC status (99) and resend (97)
# are always allowed; end patron session (35) too, because it only forgets a PIN.
OPERATIONS: dict[str, str] = {
    "patron_information": "63",
    "patron_status": "23",
    "checkout": "11",
    "checkin": "09",
    "renew": "29",
    "renew_all": "65",
    "item_information": "17",
    "item_status_update": "19",
    "hold": "15",
    "fee_paid": "37",
    "patron_enable": "25",
    "block_patron": "01",
}
ALWAYS_ALLOWED = frozenset({"93", "99", "97", "35"})
DEFAULT_OPERATIONS = ("63", "23", "11", "09", "29", "65", "17", "15", "37")
"""A kiosk by default: everything a reader does; not blocking cards (01), enabling patrons
(25) or changing item properties (19), which staff do."""


class Encoding(models.TextChoices):
    UTF8 = "utf-8", "UTF-8"
    GB18030 = "gb18030", "GB18030"


class DeviceLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("Simplified Chinese")
    EN = "en", _("English")


class DeviceAccount(TimeStampedModel):
    """One self-service machine (or a group of identical ones) that logs in with 93."""

    login = models.CharField(_("login"), max_length=64, unique=True)
    password_hash = models.CharField(_("password (hashed)"), max_length=200, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    institution_id = models.CharField(_("institution id"), max_length=64)
    service_point = models.ForeignKey(
        "network.ServicePoint",
        verbose_name=_("service point"),
        on_delete=models.PROTECT,
        related_name="sip2_devices",
    )
    operations = models.JSONField(
        _("allowed operations"), default=list, help_text=_("SIP2 request codes.")
    )
    encoding = models.CharField(
        _("character encoding"), max_length=16, choices=Encoding.choices, default=Encoding.UTF8
    )
    checksum_required = models.BooleanField(_("checksum required"), default=True)
    patron_pin_required = models.BooleanField(_("reader PIN required"), default=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=DeviceLanguage.choices,
        default=DeviceLanguage.ZH_HANS,
    )
    active = models.BooleanField(_("active"), default=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)

    class Meta:
        verbose_name = _("SIP2 device account")
        verbose_name_plural = _("SIP2 device accounts")

    def __str__(self) -> str:
        return self.label or self.login

    @property
    def device_label(self) -> str:
        """How loans and audit events name the device."""
        return f"sip2:{self.login}"

    def allows(self, message_code: str) -> bool:
        return message_code in ALWAYS_ALLOWED or message_code in self.operations


class LoginFailure(models.Model):
    """One refused 93 login: counted to throttle guessing, kept as the log of attempts."""

    login = models.CharField(_("login"), max_length=64, db_index=True)
    peer = models.CharField(_("address"), max_length=64, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    reason = models.CharField(_("reason"), max_length=32)

    class Meta:
        verbose_name = _("SIP2 login failure")
        verbose_name_plural = _("SIP2 login failures")
        indexes = [
            models.Index(fields=["login", "at"], name="sip2_failure_login_at"),
            models.Index(fields=["peer", "at"], name="sip2_failure_peer_at"),
        ]

    def __str__(self) -> str:
        return f"{self.login} @ {self.peer} ({self.reason})"
