from django.core.management.base import BaseCommand

from pledges.services import pledges_end_expired


class Command(BaseCommand):
    help = "Mark published pledges whose period is over as ended (run daily)."

    def handle(self, *args, **options):
        count = pledges_end_expired()
        self.stdout.write(f"{count} pledge(s) ended.")
