"""The benchmarks' data, made in bulk (the test factories' objects, bulk-inserted): companies, ready investors,
offerings and paid subscriptions. Django is imported inside each function, after `harness` has pointed it at the
bench database."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
from decimal import Decimal

# Old accounts: the shill rule looks at young accounts sharing a card or address, and every bench investor shares
# the loopback address and the test card.
ACCOUNT_AGE = dt.timedelta(days=365)


def create_issuers(count: int) -> list:
    """`count` companies, each with its own issuer user."""
    from accounts.models import Role, User
    from projects.models import Issuer
    from projects.tests.factories import IssuerFactory

    start = User.objects.count()
    owners = User.objects.bulk_create(
        (User(username=f"bench-issuer-{start + n}", role=Role.ISSUER, password="!") for n in range(count)),
        batch_size=1000,
    )
    return Issuer.objects.bulk_create((IssuerFactory.build(owner=owner) for owner in owners), batch_size=1000)


def create_ready_investors(count: int, *, regime: str) -> list[tuple]:
    """`count` investors who may subscribe under `regime` (KYC verified and qualified, suitability C5, the risk
    statement signed); each with an API token. Returns (user, token key) pairs."""
    from django.conf import settings
    from django.utils import timezone

    from accounts import tokens as api_tokens
    from accounts.models import ApiToken, Role, User
    from investors.models import KycProfile, KycStatus, RiskAcknowledgement, SuitabilityAssessment
    from investors.tests.factories import KycProfileFactory, RiskAcknowledgementFactory, SuitabilityAssessmentFactory
    from projects.regimes import regime_for

    joined = timezone.now() - ACCOUNT_AGE
    currency = regime_for(regime).currency
    start = User.objects.count()
    users = User.objects.bulk_create(
        User(username=f"bench-investor-{start + n}", role=Role.INVESTOR, password="!", date_joined=joined)
        for n in range(count)
    )
    KycProfile.objects.bulk_create(
        (
            KycProfileFactory.build(
                user=user, status=KycStatus.VERIFIED, qualified=True, qualification_regime=regime, currency=currency
            )
            for user in users
        ),
        batch_size=1000,
    )
    SuitabilityAssessment.objects.bulk_create(
        (SuitabilityAssessmentFactory.build(user=user, risk_level="C5") for user in users), batch_size=1000
    )
    RiskAcknowledgement.objects.bulk_create(
        (RiskAcknowledgementFactory.build(investor=user, regime=regime) for user in users), batch_size=1000
    )
    keys = [api_tokens.new_key() for _user in users]
    now = timezone.now()
    ApiToken.objects.bulk_create(
        (
            ApiToken(
                user=user,
                digest=api_tokens.key_digest(key),
                prefix=key[: api_tokens.PREFIX_LENGTH],
                password_digest=api_tokens.password_digest(user),
                created_at=now,
                expires_at=now + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
            )
            for user, key in zip(users, keys, strict=True)
        ),
        batch_size=1000,
    )
    return list(zip(users, keys, strict=True))


def create_offerings(issuers: list, *, regime: str, status: str, ticket: Decimal, places: int) -> list:
    """One offering per issuer, each with room for `places` tickets, open since yesterday until 30 days from now."""
    from django.utils import timezone

    from projects.models import Offering
    from projects.regimes import regime_for
    from projects.tests.factories import OfferingFactory

    now = timezone.now()
    return Offering.objects.bulk_create(
        (
            OfferingFactory.build(
                issuer=issuer,
                regime=regime,
                currency=regime_for(regime).currency,
                status=status,
                price_per_share=ticket,
                min_investment=ticket,
                target_amount=ticket * places / 2,
                max_amount=ticket * places,
                opens_at=now - dt.timedelta(days=1),
                closes_at=now + dt.timedelta(days=30),
            )
            for issuer in issuers
        ),
        batch_size=1000,
    )


def create_paid_subscriptions(pairs: list[tuple], *, ticket: Decimal, charge_at_stripe: bool = False) -> list:
    """A paid subscription of one `ticket` for each (investor, offering) pair, with its payment and its ledger entry
    as a payment records them, inserted in bulk; the offerings' totals follow. With `charge_at_stripe` each is
    charged at the fake Stripe server first (16 at a time), so that it can be refunded there."""
    from django.db.models import Count, Sum
    from django.utils import timezone

    from investors.models import Payment, Subscription, SubscriptionStatus
    from investors.subscriptions import gateway
    from ledger.models import Account, AccountKind, Entry, Line
    from ledger.services import account_code
    from projects.models import Offering

    now = timezone.now()
    subscriptions = Subscription.objects.bulk_create(
        (
            Subscription(
                investor=investor,
                offering=offering,
                amount=ticket,
                currency=offering.currency,
                shares=1,
                status=SubscriptionStatus.PAID,
                idempotency_key=f"bench-{offering.pk}-{number}",
                request_digest="",
                payment_method="pm_card_visa",
                created_at=now,
                reserved_until=now,
                paid_at=now,
            )
            for number, (investor, offering) in enumerate(pairs)
        ),
        batch_size=5000,
    )
    if charge_at_stripe:
        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            charges = list(
                pool.map(
                    lambda subscription: gateway.charge(
                        subscription_id=subscription.pk,
                        amount=subscription.amount,
                        currency=subscription.currency,
                        payment_method=subscription.payment_method,
                    ),
                    subscriptions,
                )
            )
        intent_ids = [charge.payment_intent_id for charge in charges]
    else:
        intent_ids = [f"pi_bench_{subscription.pk}" for subscription in subscriptions]
    Payment.objects.bulk_create(
        (
            Payment(
                subscription=subscription,
                payment_intent_id=intent_id,
                amount=ticket,
                currency=subscription.currency,
                received_at=now,
            )
            for subscription, intent_id in zip(subscriptions, intent_ids, strict=True)
        ),
        batch_size=5000,
    )
    owners = {(AccountKind.OFFERING_ESCROW, s.offering_id, s.currency) for s in subscriptions}
    owners |= {(AccountKind.INVESTOR_FUNDING, s.investor_id, s.currency) for s in subscriptions}
    Account.objects.bulk_create(
        (
            Account(code=account_code(kind, owner, currency), kind=kind, owner_id=owner, currency=currency)
            for kind, owner, currency in owners
        ),
        batch_size=5000,
        ignore_conflicts=True,
    )
    accounts = dict(Account.objects.values_list("code", "pk"))
    entries = Entry.objects.bulk_create(
        (
            Entry(
                key=f"payment:{s.pk}",
                description=f"Payment for subscription {s.pk}",
                posted_at=now,
                currency=s.currency,
            )
            for s in subscriptions
        ),
        batch_size=5000,
    )
    Line.objects.bulk_create(
        (
            line
            for entry, s in zip(entries, subscriptions, strict=True)
            for line in (
                Line(
                    entry=entry,
                    account_id=accounts[account_code(AccountKind.OFFERING_ESCROW, s.offering_id, s.currency)],
                    amount=ticket,
                ),
                Line(
                    entry=entry,
                    account_id=accounts[account_code(AccountKind.INVESTOR_FUNDING, s.investor_id, s.currency)],
                    amount=-ticket,
                ),
            )
        ),
        batch_size=5000,
    )
    offering_ids = {s.offering_id for s in subscriptions}
    for offering_id, investors, total in (
        Subscription.objects.filter(offering_id__in=offering_ids)
        .values_list("offering")
        .annotate(Count("investor", distinct=True), Sum("amount"))
    ):
        Offering.objects.filter(pk=offering_id).update(
            reserved_amount=total, raised_amount=total, investor_count=investors
        )
    return subscriptions


def ledger_balanced() -> bool:
    from ledger.selectors import total_of_all_accounts

    return total_of_all_accounts() == 0
