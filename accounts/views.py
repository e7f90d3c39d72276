from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts import services
from accounts.forms import RegisterForm
from accounts.throttles import LOGIN_THROTTLES, RegisterThrottle
from kernel.errors import DomainError
from kernel.throttles import throttle_check
from kernel.web import posted, show_refusal, submit_form

# The first backend is django-axes', which only judges credentials; a user who has just registered has none to judge.
SESSION_BACKEND = "django.contrib.auth.backends.ModelBackend"


def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegisterForm(posted(request))
    if request.method == "POST":
        try:
            throttle_check(request, RegisterThrottle)
        except DomainError as refusal:
            show_refusal(request, refusal, form)
            return render(request, "accounts/register.html", {"form": form}, status=refusal.status)
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


class LoginView(auth_views.LoginView):
    """Django's login page, refused with 429 once the username or the address has spent its attempts."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        try:
            throttle_check(request, *LOGIN_THROTTLES)
        except DomainError as refusal:
            return render(request, "accounts/locked_out.html", {"message": refusal.message}, status=refusal.status)
        return super().post(request, *args, **kwargs)
