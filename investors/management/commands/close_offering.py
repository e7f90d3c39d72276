"""Close one offering now: settle it if its target is met, else refund everyone. `--dry-run` only shows the plan."""

from django.core.management.base import BaseCommand, CommandError

from investors.subscriptions import settlement
from projects.models import Offering


class Command(BaseCommand):
    help = "Settle or refund one offering whose deadline has passed."

    def add_arguments(self, parser):
        parser.add_argument("offering_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="show what would happen and change nothing")

    def handle(self, *args, offering_id: int, dry_run: bool, **options):
        if not Offering.objects.filter(pk=offering_id).exists():
            raise CommandError(f"No offering {offering_id}.")
        report = settlement.offering_settle(offering_id=offering_id, dry_run=dry_run)
        verb = "Would" if dry_run else "Did"
        self.stdout.write(
            f"Offering {offering_id} ({report.status}): paid {report.paid_amount} of target {report.target_amount}; "
            f"outcome: {report.outcome}"
        )
        for reason in report.waiting_for:
            self.stdout.write(f"  waiting: {reason}")
        for item in report.subscriptions:
            self.stdout.write(
                f"  {verb} {item['action']} subscription {item['id']} of {item['investor']}: "
                f"{item['amount']} for {item['shares']} shares"
            )
        if report.outcome == "close":
            self.stdout.write(f"  platform fee {report.fee}; issuer payout {report.issuer_payout}")
