from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SerialsConfig(AppConfig):
    name = "shufang.serials"
    label = "serials"
    verbose_name = _("Serials")
