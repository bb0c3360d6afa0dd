"""Base models, the audit trail, staff roles, API tokens and database-held job leases."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Channel(models.TextChoices):
    """Where a change came from. Circulation adds its own channels on top of these."""

    DESK = "desk", _("Desk")
    ADMIN = "admin", _("Administration")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    KIOSK = "kiosk", _("Self-service kiosk")
    OPAC = "opac", _("Public catalogue")
    SYSTEM = "system", _("System")


class AuditEvent(models.Model):
    """One row per change made through a service, and per view of a reader's personal data."""

    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    # The library the changed object belongs to, when there is one: scopes the audit log
    # shown to a branch manager. Kept when the library is deleted (the event stays).
    library = models.ForeignKey(
        "network.Library",
        verbose_name=_("library"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"


class Role(models.TextChoices):
    CIRCULATION = "circulation", _("Circulation desk")
    CATALOGUER = "cataloguer", _("Cataloguer")
    ACQUISITIONS = "acquisitions", _("Acquisitions")
    EVENTS = "events", _("Events")
    STATISTICS = "statistics", _("Statistics")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class StaffRole(models.Model):
    """A role held by a staff user, scoped to a library, a service point, or (both empty) the
    whole network."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="staff_roles",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
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

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "library", "service_point"], name="staff_role_unique"
            )
        ]

    def __str__(self) -> str:
        scope = self.service_point or self.library or _("whole network")
        return f"{self.user} · {self.get_role_display()} · {scope}"


class ApiToken(models.Model):
    """A bearer token for staff and systems. Only a hash is stored; the token is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class JobLease(models.Model):
    """A lease on a named piece of scheduled work, so that when several application servers run
    `run-jobs` at once only one of them does each job."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    holder = models.CharField(_("holder"), max_length=200, blank=True)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    last_run_at = models.DateTimeField(_("last run at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")

    def __str__(self) -> str:
        return self.name
