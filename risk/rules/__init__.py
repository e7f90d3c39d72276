"""The review policy, one module per rule family. Adding a rule is adding a module and a line here."""

from risk.rules import (
    assurance,
    claims,
    commitments,
    financials,
    forecast,
    identity,
    interim,
    performance,
    platform,
    reporting,
    shill,
    terms,
)

# Rules over everything known about one issuer: its statements, offerings, commitments, updates and subscriptions.
ISSUER_RULES = {
    performance.CODE: performance.check,
    forecast.CODE: forecast.check,
    terms.CODE: terms.check,
    commitments.CODE: commitments.check,
    platform.CODE: platform.check,
    financials.CODE: financials.check,
    assurance.CODE: assurance.check,
    reporting.CODE: reporting.check,
    reporting.INTERIM_CODE: reporting.check_interim,
    interim.CODE: interim.check,
    shill.CODE: shill.check,
    claims.CODE: claims.check,
}
# Rules over one investor account.
INVESTOR_RULES = {
    identity.CODE: identity.check,
}
# The vocabulary of signals.
RULE_CODES = (*ISSUER_RULES, *INVESTOR_RULES)
