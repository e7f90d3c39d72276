"""Re-encrypt every stored identity number with the first FIELD_ENCRYPTION_KEY (and re-hash it with the current
IDENTITY_HASH_KEY). Safe to run again: rows already under the current keys are left alone."""

from django.core.management.base import BaseCommand, CommandError

from investors.kyc.identity_key_rotation import kyc_identity_numbers_rotate


class Command(BaseCommand):
    help = "Bring every stored identity number under the current encryption and hash keys."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows per transaction (default 500)")

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        report = kyc_identity_numbers_rotate(batch_size=batch_size)
        self.stdout.write(f"rewritten={report.rewritten} already_current={report.already_current}")
        if report.unreadable:
            ids = ", ".join(str(pk) for pk in report.unreadable)
            raise CommandError(
                f"No configured FIELD_ENCRYPTION_KEY decrypts KYC profiles {ids}: keep the key that wrote them in "
                "the list and run the command again."
            )
