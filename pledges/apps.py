from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    name = "pledges"
    verbose_name = _("Citizen pledges")

    def ready(self):
        # Public pages are cached; any change of the data they show invalidates them.
        from .public_cache import connect_signals

        connect_signals()
