"""Subscribing: admission, eligibility, cancellation, reconfirmation and the investor's money pages."""
