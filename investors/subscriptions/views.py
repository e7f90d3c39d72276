"""The investor's money pages (the dashboard, subscribe, my subscriptions, my portfolio) and the issuer's cap table.

The cap table lives here rather than in `projects` because it reads holdings, and `projects` knows no other app.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.web import investor_required, issuer_required
from investors.kyc import selectors as kyc_selectors
from investors.subscriptions import reconfirmation, selectors
from investors.subscriptions.dashboard import investor_dashboard
from investors.subscriptions.forms import SubscribeForm
from investors.subscriptions.services import subscription_cancel, subscription_create
from investors.subscriptions.throttles import SubscribeThrottle
from kernel.throttles import throttle_check
from kernel.web import perform, submit_form
from projects import selectors as project_selectors
from projects.models import OfferingStatus


@investor_required
@require_POST
def subscribe(request, offering_id: int):
    """The subscribe form on the offering page posts here. A refusal goes back to the offering page as messages,
    where a new form (with a new idempotency key) is waiting."""
    offering = get_object_or_404(project_selectors.offerings_visible_to(request.user), pk=offering_id)
    form = SubscribeForm(request.POST)
    client_ip = request.META.get("REMOTE_ADDR")

    def sign_and_subscribe():
        throttle_check(request, SubscribeThrottle)
        # A tick in the risk statement's box is the signature, recorded with the subscription or not at all.
        return subscription_create(
            investor=request.user,
            offering=offering,
            client_ip=client_ip,
            risk_signature=form.risk_acknowledgement(),
            **form.subscription(),
        )

    answer = submit_form(request, form, sign_and_subscribe, success=_("Your subscription is recorded."))
    if answer is not None:
        return redirect("investors:subscriptions")
    # The offering page shows a fresh form, so what it cannot show beside a field is said as a message.
    for field_messages in form.errors.values():
        for message in field_messages:
            messages.error(request, message)
    return redirect("projects:offering_detail", pk=offering.pk)


@investor_required
def subscriptions(request):
    return render(request, "investors/subscriptions.html", {"rows": selectors.subscription_rows_of(request.user)})


def _act_on_own_subscription(request, pk: int, service, *, success: str) -> None:
    """Call `service(subscription=..., by=...)` on one of the investor's own subscriptions and say how it went."""
    subscription = get_object_or_404(selectors.subscriptions_of(request.user), pk=pk)
    perform(request, lambda: service(subscription=subscription, by=request.user), success=success)


@investor_required
@require_POST
def subscription_cancel_view(request, pk: int):
    _act_on_own_subscription(
        request,
        pk,
        subscription_cancel,
        success=_("Your subscription is cancelled; the whole amount is being refunded."),
    )
    return redirect("investors:subscriptions")


@investor_required
@require_POST
def subscription_reconfirm_view(request, pk: int):
    _act_on_own_subscription(
        request,
        pk,
        reconfirmation.subscription_reconfirm,
        success=_("Thank you: you accepted the new terms and your subscription stands."),
    )
    if url_has_allowed_host_and_scheme(request.POST.get("next"), allowed_hosts={request.get_host()}):
        return redirect(request.POST["next"])
    return redirect("investors:subscriptions")


@investor_required
def portfolio(request):
    holdings = selectors.holdings_of(request.user).select_related("offering__issuer")
    return render(request, "investors/portfolio.html", {"holdings": holdings})


@issuer_required
def cap_table(request, offering_id: int):
    """Only the offering's owner finds this page; another issuer gets 404 (staff read holdings in the admin)."""
    offering = get_object_or_404(project_selectors.offerings_managed_by(request.user), pk=offering_id)
    live = offering.status == OfferingStatus.LIVE
    return render(
        request,
        "projects/cap_table.html",
        {
            "offering": offering,
            "lines": selectors.cap_table_of(offering),
            "funded": selectors.funded_subscriptions_summary(offering) if live else None,
        },
    )


@investor_required
def dashboard(request):
    return render(
        request,
        "investors/dashboard.html",
        {
            "dashboard": investor_dashboard(user=request.user, now=timezone.now()),
            "kyc": kyc_selectors.kyc_of(request.user),
            "assessment": kyc_selectors.latest_suitability(request.user),
        },
    )
