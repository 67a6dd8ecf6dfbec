import time

from django.core.management.base import BaseCommand, CommandError

from pledges.scale import scale_seed, vacuum_seeded_tables


class Command(BaseCommand):
    help = (
        "Seed the whole country for the benchmarks: per municipality a running and an ended pledge with "
        "20 commitments each and years of activity logs. Replaces an earlier scale seed; leaves the demo "
        "pledges and the reference data alone. Not for production databases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=290, help="How many (in kommunkod order).")
        parser.add_argument("--years", type=int, default=4, help="Length of each pledge in years.")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed, the same data).")

    def handle(self, *args, municipalities, years, seed, **options):
        if not 1 <= municipalities <= 290 or not 1 <= years <= 10:
            raise CommandError("--municipalities is 1–290 and --years 1–10.")
        start = time.perf_counter()
        result = scale_seed(municipalities=municipalities, years=years, seed=seed)
        if result.municipalities < municipalities:
            raise CommandError("Load the reference data first: manage.py load_reference_data")
        vacuum_seeded_tables()
        self.stdout.write(
            f"Seeded {result.municipalities} municipalities, {result.pledges} pledges, "
            f"{result.commitments} commitments, {result.activity_logs} activity logs "
            f"in {time.perf_counter() - start:.1f} s"
        )
