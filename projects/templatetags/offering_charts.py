"""Charts drawn on the server as inline SVG (the Content-Security-Policy allows no inline script or style): the
geometry is computed here and drawn by templates with presentation attributes and CSS classes from static/."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django import template

from projects.models import StatementKind

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


CHART_WIDTH = 600
CHART_HEIGHT = 240
AXIS_LABEL_HEIGHT = 24
TOP_MARGIN = 8
BAR_GAP_SHARE = Decimal("0.2")  # of each year's width, left between years


@dataclass(frozen=True)
class Bar:
    kind: str
    label: str
    value: Decimal
    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class YearGroup:
    fiscal_year: int
    label_x: int
    bars: list[Bar]


@register.inclusion_tag("projects/charts/figures.html")
def figures_chart(years, metric: str, title: str, chart_id: str, currency: str) -> dict:
    """Grouped bars of one figure (revenue or net profit) by fiscal year: historical, projected and actual side by
    side, with a zero line so that losses hang below it."""
    kinds = [(kind, label) for kind, label in StatementKind.choices]
    values = [value for year in years for value in getattr(year, metric).values() if value is not None]
    top, bottom = max([Decimal("0"), *values]), min([Decimal("0"), *values])
    plot_height = CHART_HEIGHT - AXIS_LABEL_HEIGHT - TOP_MARGIN
    span = (top - bottom) or Decimal("1")

    def y_of(value: Decimal) -> int:
        return TOP_MARGIN + round((top - value) / span * plot_height)

    zero_y = y_of(Decimal("0"))
    group_width = Decimal(CHART_WIDTH) / max(len(years), 1)
    bar_width = int(group_width * (1 - BAR_GAP_SHARE) / len(kinds))
    groups = []
    for index, year in enumerate(years):
        left = group_width * index + group_width * BAR_GAP_SHARE / 2
        bars = []
        for position, (kind, label) in enumerate(kinds):
            value = getattr(year, metric)[kind]
            if value is None:
                continue
            value_y = y_of(value)
            bars.append(
                Bar(
                    kind,
                    label,
                    value,
                    x=int(left) + position * bar_width,
                    y=min(value_y, zero_y),
                    width=max(bar_width - 2, 1),
                    height=max(abs(value_y - zero_y), 1),
                )
            )
        groups.append(YearGroup(year.fiscal_year, label_x=round(group_width * index + group_width / 2), bars=bars))
    return {
        "groups": groups,
        "kinds": kinds,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "zero_y": zero_y,
        "label_y": CHART_HEIGHT - 6,
        "title": title,
        "chart_id": chart_id,
        "currency": currency,
    }


@dataclass(frozen=True)
class FundsSegment:
    category: str
    amount: Decimal
    share_pct: Decimal
    x: int
    width: int
    colour: int  # which of the stylesheet's series colours


SERIES_COLOURS = 6


@register.inclusion_tag("projects/charts/use_of_funds.html")
def use_of_funds_chart(offering) -> dict:
    """The uses of the money as segments of one bar, each its share of the total, above a table of the amounts."""
    uses = [(use["category"], Decimal(str(use["amount"]))) for use in offering.use_of_funds]
    total = sum((amount for _, amount in uses), Decimal("0"))
    segments, left = [], Decimal("0")
    for index, (category, amount) in enumerate(uses):
        fraction = share(amount, total)
        segments.append(
            FundsSegment(
                category,
                amount,
                (fraction * 100).quantize(Decimal("0.1")),
                x=round(left * CHART_WIDTH),
                width=round(fraction * CHART_WIDTH),
                colour=index % SERIES_COLOURS,
            )
        )
        left += fraction
    return {"offering": offering, "segments": segments, "total": total, "width": CHART_WIDTH}
