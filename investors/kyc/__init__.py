"""Investors' identity (KYC), suitability and qualification."""
