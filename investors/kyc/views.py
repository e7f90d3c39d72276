"""The investor's identity pages: identity (KYC), the suitability questionnaire and the profile that sums them
up."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.web import investor_required
from investors.kyc import selectors, services
from investors.kyc.forms import KycForm, QuestionnaireForm
from kernel.web import posted, submit_form


@investor_required
def kyc(request):
    current = selectors.kyc_of(request.user)
    form = KycForm(posted(request), kyc=current)
    submitted = submit_form(
        request,
        form,
        lambda: services.kyc_submit(user=request.user, **form.cleaned_data),
        success=_("Thank you. We are checking your identity; this page shows the result."),
    )
    if submitted is not None:
        return redirect("investors:kyc")
    return render(request, "investors/kyc.html", {"kyc": current, "form": form})


@investor_required
def questionnaire(request):
    form = QuestionnaireForm(posted(request))
    assessment = submit_form(
        request,
        form,
        lambda: services.suitability_submit(user=request.user, answers=form.answers()),
        success=_("Your answers are saved."),
        # The service names an answer `answers.<question id>`; the form has a field for each question.
        parts={"answers": form},
    )
    if assessment is not None:
        return redirect("investors:questionnaire")
    return render(
        request,
        "investors/questionnaire.html",
        {"form": form, "assessment": selectors.latest_suitability(request.user)},
    )


@investor_required
def profile(request):
    return render(
        request,
        "investors/profile.html",
        {
            "summary": selectors.investor_summary(request.user),
            "kyc": selectors.kyc_of(request.user),
            "assessment": selectors.latest_suitability(request.user),
        },
    )
