"""Operations ledgers: publicity, media, venue services, staff, safety, volunteers and funded
projects. Every row belongs to a library, which scopes who may see and change it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shufang.core.models import TimeStampedModel


def _library() -> models.ForeignKey:
    return models.ForeignKey(
        "network.Library", verbose_name=_("library"), on_delete=models.PROTECT, related_name="+"
    )


def _after(later: str, earlier: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{later}__isnull": True}) | Q(**{f"{later}__gte": models.F(earlier)}),
        name=name,
    )


# --------------------------------------------------------------------------- publicity


class WechatMonth(TimeStampedModel):
    """A WeChat official account's figures for one month (from the platform's export)."""

    library = _library()
    account = models.CharField(_("account"), max_length=64)
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    followers = models.PositiveIntegerField(_("followers at month end"))
    new_followers = models.PositiveIntegerField(_("new followers"), default=0)

    class Meta:
        verbose_name = _("WeChat month")
        verbose_name_plural = _("WeChat months")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["library", "account", "month"], name="wechat_month_uq")
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.month:%Y-%m}"


class WechatPost(TimeStampedModel):
    library = _library()
    account = models.CharField(_("account"), max_length=64)
    published_on = models.DateField(_("published on"))
    title = models.CharField(_("title"), max_length=300)
    reads = models.PositiveIntegerField(_("reads"), default=0)

    class Meta:
        verbose_name = _("WeChat post")
        verbose_name_plural = _("WeChat posts")
        ordering = ["-published_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "account", "published_on", "title"], name="wechat_post_uq"
            )
        ]

    def __str__(self) -> str:
        return self.title


class WebsiteMonth(TimeStampedModel):
    library = _library()
    month = models.DateField(_("month"), help_text=_("the first day of the month"))
    articles = models.PositiveIntegerField(_("articles published"), default=0)
    page_views = models.PositiveIntegerField(_("page views"), default=0)
    visits = models.PositiveIntegerField(_("visits"), default=0)

    class Meta:
        verbose_name = _("website month")
        verbose_name_plural = _("website months")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["library", "month"], name="website_month_uq")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class CommunityGroup(TimeStampedModel):
    """A readers' group (e.g. the story-session WeChat groups) as counted on a date."""

    library = _library()
    name = models.CharField(_("name"), max_length=200)
    platform = models.CharField(_("platform"), max_length=50, default="WeChat")
    counted_on = models.DateField(_("counted on"))
    members = models.PositiveIntegerField(_("members"), default=0)
    posts = models.PositiveIntegerField(_("posts"), default=0)

    class Meta:
        verbose_name = _("community group")
        verbose_name_plural = _("community groups")
        ordering = ["-counted_on", "name"]

    def __str__(self) -> str:
        return self.name


class MediaLevel(models.TextChoices):
    CITY = "city", _("City")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class MediaReport(TimeStampedModel):
    library = _library()
    outlet = models.CharField(_("outlet"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=MediaLevel.choices)
    published_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    link = models.URLField(_("link"), max_length=500, blank=True)
    event = models.ForeignKey(
        "programmes.Event",
        verbose_name=_("related event"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="media_reports",
    )

    class Meta:
        verbose_name = _("media report")
        verbose_name_plural = _("media reports")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.outlet}: {self.title}"


# --------------------------------------------------------------------------- venue


class GroupVisit(TimeStampedModel):
    library = _library()
    visitor = models.CharField(_("visiting group"), max_length=200)
    visited_on = models.DateField(_("date"))
    people = models.PositiveIntegerField(_("people"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("group visit")
        verbose_name_plural = _("group visits")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor}"


class VenueUse(TimeStampedModel):
    """Use of the library's rooms by another organisation (场地服务)."""

    library = _library()
    organisation = models.CharField(_("organisation"), max_length=200)
    used_on = models.DateField(_("date"))
    room = models.CharField(_("room"), max_length=100, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300)
    attendees = models.PositiveIntegerField(_("attendees"), null=True, blank=True)

    class Meta:
        verbose_name = _("venue use")
        verbose_name_plural = _("venue uses")
        ordering = ["-used_on", "-id"]

    def __str__(self) -> str:
        return f"{self.used_on} {self.organisation}"


# --------------------------------------------------------------------------- staff


class StaffEstablishment(TimeStampedModel):
    """The number of authorised posts (编制) from a date on."""

    library = _library()
    effective_from = models.DateField(_("effective from"))
    authorised_posts = models.PositiveIntegerField(_("authorised posts"))

    class Meta:
        verbose_name = _("staff establishment")
        verbose_name_plural = _("staff establishments")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.effective_from}: {self.authorised_posts}"


class StaffMember(TimeStampedModel):
    """A member of staff holding a post: name, post and dates only."""

    library = _library()
    name = models.CharField(_("name"), max_length=100)
    post = models.CharField(_("post"), max_length=100, blank=True)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        ordering = ["name"]
        constraints = [_after("left_on", "joined_on", "staff_member_left_after_joined")]

    def __str__(self) -> str:
        return self.name


class TrainingTopic(models.TextChoices):
    PROFESSIONAL = "professional", _("Professional")
    SAFETY = "safety", _("Safety")
    OTHER = "other", _("Other")


class Training(TimeStampedModel):
    library = _library()
    course = models.CharField(_("course"), max_length=300)
    organiser = models.CharField(_("organiser"), max_length=200)
    topic = models.CharField(
        _("topic"), max_length=16, choices=TrainingTopic.choices, default=TrainingTopic.PROFESSIONAL
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1, default=0)
    online = models.BooleanField(_("online"), default=False)
    participants = models.PositiveIntegerField(_("participants"), default=1)
    participant_names = models.CharField(_("participant names"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["-starts_on", "-id"]
        constraints = [_after("ends_on", "starts_on", "training_ends_after_start")]

    def __str__(self) -> str:
        return self.course


class Honour(TimeStampedModel):
    library = _library()
    title = models.CharField(_("title"), max_length=300)
    awarded_by = models.CharField(_("awarded by"), max_length=200)
    awarded_on = models.DateField(_("awarded on"))
    recipient = models.CharField(
        _("recipient"), max_length=100, blank=True, help_text=_("empty: the library itself")
    )

    class Meta:
        verbose_name = _("honour")
        verbose_name_plural = _("honours")
        ordering = ["-awarded_on", "-id"]

    def __str__(self) -> str:
        return self.title


# --------------------------------------------------------------------------- safety


class InspectionKind(models.TextChoices):
    DAILY_CHECK = "daily_check", _("Daily check")
    PATROL = "patrol", _("Patrol")
    FIRE_EQUIPMENT = "fire_equipment", _("Fire equipment maintenance")
    MICRO_FIRE_STATION = "micro_fire_station", _("Micro fire station")
    LIFT = "lift", _("Lift maintenance")


# How often each kind of inspection is due, in days (the overdue reminder uses this).
INSPECTION_INTERVAL_DAYS: dict[str, int] = {
    InspectionKind.DAILY_CHECK: 1,
    InspectionKind.PATROL: 7,
    InspectionKind.FIRE_EQUIPMENT: 30,
    InspectionKind.MICRO_FIRE_STATION: 30,
    InspectionKind.LIFT: 15,
}


class Inspection(TimeStampedModel):
    library = _library()
    kind = models.CharField(_("kind"), max_length=20, choices=InspectionKind.choices)
    done_on = models.DateField(_("date"))
    inspector = models.CharField(_("inspector"), max_length=100)
    findings = models.CharField(_("findings"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.done_on} {self.get_kind_display()}"


class Hazard(TimeStampedModel):
    library = _library()
    found_on = models.DateField(_("found on"))
    location = models.CharField(_("location"), max_length=200)
    description = models.CharField(_("hazard"), max_length=500)
    fixed_on = models.DateField(_("fixed on"), null=True, blank=True)
    fix = models.CharField(_("fix"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        constraints = [_after("fixed_on", "found_on", "hazard_fixed_after_found")]

    def __str__(self) -> str:
        return self.description


class Drill(TimeStampedModel):
    library = _library()
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=300)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)

    class Meta:
        verbose_name = _("drill")
        verbose_name_plural = _("drills")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class Certificate(TimeStampedModel):
    library = _library()
    holder = models.CharField(_("holder"), max_length=100)
    title = models.CharField(_("certificate"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-id"]
        constraints = [_after("expires_on", "issued_on", "certificate_expires_after_issue")]

    def __str__(self) -> str:
        return f"{self.holder}: {self.title}"


class Disinfection(TimeStampedModel):
    library = _library()
    room = models.CharField(_("room"), max_length=100)
    done_on = models.DateField(_("date"))
    method = models.CharField(_("method"), max_length=200, blank=True)
    done_by = models.CharField(_("done by"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("room disinfection")
        verbose_name_plural = _("room disinfections")
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.done_on} {self.room}"


class Reminder(models.Model):
    """A notice for staff on the staff home, made by a scheduled job (an overdue inspection).
    `key` keeps at most one open reminder per cause."""

    library = _library()
    key = models.CharField(_("key"), max_length=100)
    message = models.CharField(_("message"), max_length=300)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["library", "key"],
                condition=Q(resolved_at__isnull=True),
                name="reminder_one_open_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- volunteers


class Volunteer(TimeStampedModel):
    library = _library()
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    joined_on = models.DateField(_("joined on"))

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VolunteerShift(TimeStampedModel):
    library = _library()
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="shifts"
    )
    served_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    task = models.CharField(_("task"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("volunteer shift")
        verbose_name_plural = _("volunteer shifts")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="volunteer_shift_hours_positive")
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.volunteer_id}"


# --------------------------------------------------------------------------- funding


class ProjectStatus(models.TextChoices):
    GRANTED = "granted", _("Granted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class FundedProject(TimeStampedModel):
    library = _library()
    name = models.CharField(_("name"), max_length=300)
    funder = models.CharField(_("funder"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    year_granted = models.PositiveIntegerField(_("year granted"))
    status = models.CharField(
        _("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.GRANTED
    )
    year_completed = models.PositiveIntegerField(_("year completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("funded project")
        verbose_name_plural = _("funded projects")
        ordering = ["-year_granted", "name"]
        constraints = [_after("year_completed", "year_granted", "project_completed_after_grant")]

    def __str__(self) -> str:
        return self.name
