"""Charts drawn on the server as inline SVG (the Content-Security-Policy allows no inline script or style): the
geometry is computed here and drawn by templates with presentation attributes and CSS classes from static/."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()

PROGRESS_WIDTH = 1000


def share(part: Decimal, whole: Decimal) -> Decimal:
    """`part` of `whole` as a fraction from 0 to 1 (0 when there is no whole)."""
    if whole <= 0:
        return Decimal("0")
    return min(max(part / whole, Decimal("0")), Decimal("1"))


@register.inclusion_tag("projects/charts/progress.html")
def progress_chart(offering) -> dict:
    """Raised against the maximum, with a mark at the target."""
    return {
        "offering": offering,
        "width": PROGRESS_WIDTH,
        "raised_width": round(share(offering.raised_amount, offering.max_amount) * PROGRESS_WIDTH),
        "target_x": round(share(offering.target_amount, offering.max_amount) * PROGRESS_WIDTH),
    }
