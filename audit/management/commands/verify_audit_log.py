from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_check, audit_head_known


class Command(BaseCommand):
    help = (
        "Check the audit log's hash chain. Exits 1 naming the first removed or altered entry; otherwise prints the "
        "number of entries and the head hash (keep it elsewhere: removing the newest entries leaves a shorter, "
        "whole chain, which only a head recorded earlier reveals)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--expect-head", help="a head hash printed earlier, which must still be in the chain")

    def handle(self, *args, expect_head=None, **options):
        check = audit_chain_check()
        if check.first_bad is not None:
            bad = check.first_bad
            raise CommandError(f"Audit entry {bad.pk} ({bad.action} at {bad.at.isoformat()}) {check.problem}.")
        if expect_head and not audit_head_known(expect_head):
            raise CommandError(f"The head {expect_head} is no longer in the chain: entries were removed.")
        self.stdout.write(f"Audit log whole: {check.entries} entries, head {check.head}.")
