"""Masked identity numbers show the last four characters only (see investors.kyc.identity_numbers.mask).

The old mask kept the last four too, so stored masks are narrowed without decrypting anything, history included."""

from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Concat, Right

SHOWN_DIGITS = 4
HIDDEN = "*" * (18 - SHOWN_DIGITS)


def narrow_masks(apps, schema_editor):
    for name in ("KycProfile", "HistoricalKycProfile"):
        apps.get_model("investors", name).objects.update(
            id_number_masked=Concat(Value(HIDDEN), Right("id_number_masked", SHOWN_DIGITS))
        )


class Migration(migrations.Migration):
    dependencies = [("investors", "0005_harm_single_line_names")]

    operations = [migrations.RunPython(narrow_masks, migrations.RunPython.noop)]
