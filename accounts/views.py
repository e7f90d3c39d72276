from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import services
from accounts.forms import RegisterForm
from crowdfund.web import posted, submit_form

# The first backend is django-axes', which only judges credentials; a user who has just registered has none to judge.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(posted(request))
    registered = submit_form(
        request,
        form,
        lambda: services.user_register(**form.registration()),
        success=_("Welcome to Michou. Your account is ready."),
    )
    if registered is None:
        return render(request, "accounts/register.html", {"form": form})
    user, _api_key = registered
    login(request, user, backend=SESSION_BACKEND)
    return redirect("investors:kyc" if user.is_investor else "projects:issuer_create")
