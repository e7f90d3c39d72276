"""Money: the Stripe gateway, payments, refunds, settlement and reconciliation."""
