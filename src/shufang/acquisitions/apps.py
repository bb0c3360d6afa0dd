from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcquisitionsConfig(AppConfig):
    name = "shufang.acquisitions"
    label = "acquisitions"
    verbose_name = _("Acquisitions")
