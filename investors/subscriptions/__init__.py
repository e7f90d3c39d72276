"""Subscriptions and their money: admission, eligibility, payments through the Stripe gateway, cancellation, reconfirmation, refunds, settlement and reconciliation, and the investor's money pages."""
