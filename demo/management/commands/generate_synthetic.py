"""``manage.py generate_synthetic``: synthetic national data for benchmarks (not demo data).

Example (the national benchmark set: 480 parks, 25 000 enterprises, 3 periods, ~60 answers
per enterprise response)::

    manage.py generate_synthetic --parks 480 --enterprises 25000 --periods 3 --seed 1

Distributions and markings are documented in :mod:`surveys.synthetic`.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from demo.synthetic import generate_synthetic


class Command(BaseCommand):
    help = (
        "Write a synthetic national dataset (parks, enterprises, campaigns, responses, answers; "
        "deterministic by seed; every name marked [SYN:<dataset>]) for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--parks", type=int, default=480, help="number of parks (480)")
        parser.add_argument(
            "--enterprises", type=int, default=25000, help="number of enterprises (25000)"
        )
        parser.add_argument("--periods", type=int, default=3, help="yearly campaigns (3)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (1)")
        parser.add_argument(
            "--dataset", default="national", help="name marking this dataset (national)"
        )
        parser.add_argument(
            "--framework",
            choices=["synthetic", "VN-2022"],
            default="synthetic",
            help="synthetic: VN-2022 v1 + quarterly resource flows (default); VN-2022: as shipped",
        )
        parser.add_argument(
            "--last-period", type=int, default=2025, help="year of the latest campaign (2025)"
        )

    def handle(self, *args, **options):
        try:
            result = generate_synthetic(
                parks=options["parks"],
                enterprises=options["enterprises"],
                periods=options["periods"],
                seed=options["seed"],
                dataset=options["dataset"],
                framework=options["framework"],
                last_period=options["last_period"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verb = "wrote" if result.created else "found (unchanged)"
        self.stdout.write(
            f"synthetic dataset {result.dataset!r} {verb}: {result.parks} parks, "
            f"{result.enterprises} enterprises, {len(result.campaigns)} campaigns "
            f"{result.campaigns}, {result.responses} responses, {result.answers} answers "
            f"on {result.framework_version} in {result.seconds:.1f} s"
        )
