"""shill_subscriptions: a large part of the money comes from accounts that look coordinated (sharing a card, phone or
address with another subscriber, and opened days before subscribing) or from the issuer's own insiders, which
makes an offering look more popular than it is."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from risk.models import Severity
from risk.policy import Policy
from risk.rules.base import Finding, Subject, comparison, offering_record, ratio
from risk.selectors import IssuerFacts

CODE = "shill_subscriptions"


def _identifiers(subscription) -> dict[str, str]:
    kyc = getattr(subscription.investor, "kyc", None)
    return {
        "card": subscription.card_fingerprint,
        "phone": kyc.phone if kyc is not None else "",
        "ip": subscription.client_ip or "",
    }


def check(facts: IssuerFacts, policy: Policy) -> list[Finding]:
    findings = []
    young = dt.timedelta(days=policy.shill_account_age_days)
    for raise_ in facts.offerings:
        paid = raise_.paid_subscriptions
        if not paid:
            continue
        holders = defaultdict(set)  # (kind, value) -> investors
        for subscription in paid:
            for kind, value in _identifiers(subscription).items():
                if value:
                    holders[(kind, value)].add(subscription.investor_id)
        suspicious, paid_total = [], Decimal("0")
        for subscription in paid:
            paid_total += subscription.amount
            shared = sorted(
                kind for kind, value in _identifiers(subscription).items() if value and len(holders[(kind, value)]) > 1
            )
            account_age = subscription.created_at - subscription.investor.date_joined
            linked_new_account = bool(shared) and account_age < young
            if linked_new_account or subscription.insider_of_issuer:
                suspicious.append((subscription, shared, account_age))
        if not suspicious:
            continue
        suspicious_total = sum(s.amount for s, _, _ in suspicious)
        # Until the target is reached the share is taken of the target, so that the first few subscriptions of a
        # raise cannot make a share on their own.
        base = max(paid_total, raise_.offering.target_amount)
        if suspicious_total < base * policy.shill_paid_share:
            continue
        share = ratio(suspicious_total, base)
        findings.append(
            Finding(
                rule=CODE,
                severity=Severity.HIGH,
                score=share,
                subject=Subject.offering(raise_.offering),
                evidence={
                    "summary": (
                        f"{share:%} of the money ({suspicious_total} of {base} {raise_.offering.currency}) comes from "
                        f"{len(suspicious)} linked new accounts or insiders."
                    ),
                    "comparisons": [
                        comparison(
                            "suspicious share of paid amount",
                            policy.shill_paid_share,
                            share,
                            f"below {policy.shill_paid_share:%}",
                            breached=True,
                        )
                    ],
                    "subscriptions": [
                        {
                            "subscription": s.pk,
                            "investor": s.investor_id,
                            "amount": str(s.amount),
                            "shares_with_others": shared,
                            "account_age_days": age.days,
                            "insider": s.insider_of_issuer,
                        }
                        for s, shared, age in suspicious
                    ],
                    "records": [offering_record(raise_.offering)],
                },
            )
        )
    return findings
