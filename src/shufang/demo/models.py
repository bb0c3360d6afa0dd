"""The marker that says a demo has been built into this database, and with what."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DemoBuild(models.Model):
    """One row when `shufang demo` has finished building; `--reset` removes it and rebuilds.

    Written last in the build, so a build that failed half-way is not taken as built."""

    key = models.CharField(_("key"), max_length=32, unique=True, default="lijiang")
    scale = models.CharField(_("scale"), max_length=16)
    seed = models.PositiveIntegerField(_("random seed"))
    built_at = models.DateTimeField(_("built at"), default=timezone.now)
    seconds = models.FloatField(_("seconds taken"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        verbose_name = _("demo build")
        verbose_name_plural = _("demo builds")

    def __str__(self) -> str:
        return f"{self.key} ({self.scale}, {self.built_at:%Y-%m-%d %H:%M})"
