from django.core.management.base import BaseCommand

from municipalities.services import reference_data_load


class Command(BaseCommand):
    help = "Load the 290 municipalities, the 7 police regions and the local police areas. Safe to run again."

    def handle(self, *args, **options):
        for name, result in reference_data_load().items():
            self.stdout.write(
                f"{name}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged"
            )
