"""An account holds one currency: existing accounts are split by the currency of the entries their lines belong to,
and renamed `kind[:owner]:CURRENCY`."""

from django.db import migrations, models


def split_accounts_by_currency(apps, schema_editor):
    Account = apps.get_model("ledger", "Account")
    Line = apps.get_model("ledger", "Line")
    for account in list(Account.objects.all()):
        kind, _colon, owner = account.code.partition(":")
        owner_id = int(owner) if owner.isdigit() else None
        currencies = set(Line.objects.filter(account=account).values_list("entry__currency", flat=True))
        currencies.add(account.currency)
        for currency in sorted(currencies):
            code = ":".join(str(part) for part in (kind, owner_id, currency.upper()) if part is not None)
            if currency == account.currency:
                target = account
                target.code, target.owner_id = code, owner_id
                target.save(update_fields=["code", "owner_id"])
            else:
                target = Account.objects.create(code=code, kind=kind, owner_id=owner_id, currency=currency.upper())
            Line.objects.filter(account=account, entry__currency=currency).update(account=target)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="account", name="owner_id", field=models.PositiveBigIntegerField(blank=True, null=True)
        ),
        migrations.RunPython(split_accounts_by_currency, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="account",
            constraint=models.UniqueConstraint(
                fields=("kind", "owner_id", "currency"), name="one_account_per_owner_and_currency", nulls_distinct=False
            ),
        ),
    ]
