from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "shufang.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from shufang.core import checks, db  # noqa: F401  (registers checks and DB hooks)
