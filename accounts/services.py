from __future__ import annotations

from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from accounts.models import Role, User
from crowdfund.errors import DomainError, ValidationFailed


def _username_well_formed(username: str) -> bool:
    """The user model's own checks: Django's username characters, at most 150 of them."""
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError:
        return False
    return True


def user_register(*, username: str, email: str, password: str, role: str) -> tuple[User, Token]:
    """Create an investor or issuer account and its API token."""
    errors: dict[str, list[str]] = {}
    username = User.normalize_username((username or "").strip())
    email = (email or "").strip()
    if not username:
        errors["username"] = [_("This field is required.")]
    elif not _username_well_formed(username):
        errors["username"] = [_("Use up to 150 letters, digits and the characters @ . + - _ only.")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken.")]
    if not email:
        errors["email"] = [_("This field is required.")]
    if role not in Role.values:
        errors["role"] = [_("Choose investor or issuer.")]
    candidate = User(username=username, email=email, role=role)
    try:
        password_validation.validate_password(password or "", user=candidate)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(errors)

    with transaction.atomic():
        candidate.set_password(password)
        candidate.save()
        token = Token.objects.create(user=candidate)
    return candidate, token


def token_obtain(*, request: HttpRequest, username: str, password: str) -> Token:
    """Exchange credentials for the user's API token; repeated failures lock the pair out (django-axes)."""
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise DomainError(
            _("Too many failed logins. Try again later."), code="throttled", status=429
        )
    if user is None:
        raise DomainError(_("Wrong username or password."), code="invalid_credentials", status=400)
    # A token is a login: the signal resets the failure count (django-axes) and records last_login.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    token, _created = Token.objects.get_or_create(user=user)
    return token
