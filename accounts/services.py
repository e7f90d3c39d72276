from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tokens
from audit.services import audit_record
from accounts.models import ApiToken, Role, User
from kernel.errors import DomainError, ValidationFailed


def _username_well_formed(username: str) -> bool:
    """The user model's own checks: Django's username characters, at most 150 of them."""
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError:
        return False
    return True


def user_register(*, username: str, email: str, password: str, role: str) -> tuple[User, str]:
    """Create an investor or issuer account and an API token; answer the account and the token's key."""
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
        key = token_issue(user=candidate)
    return candidate, key


def token_issue(*, user: User) -> str:
    """A new API token for `user`, valid for API_TOKEN_TTL_HOURS; answers its key, which is never stored.

    The user's dead tokens (expired, or issued under an earlier password) are removed on the way."""
    now = timezone.now()
    key = tokens.new_key()
    current_password = tokens.password_digest(user)
    with transaction.atomic():
        ApiToken.objects.filter(user=user).exclude(expires_at__gt=now, password_digest=current_password).delete()
        ApiToken.objects.create(
            user=user,
            digest=tokens.key_digest(key),
            prefix=key[: tokens.PREFIX_LENGTH],
            password_digest=current_password,
            created_at=now,
            expires_at=now + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS),
        )
    return key


def token_revoke(*, user: User, token_id: int) -> None:
    """End one of the user's own tokens; another user's token is not found."""
    deleted, _by_model = ApiToken.objects.filter(user=user, pk=token_id).delete()
    if not deleted:
        raise DomainError(_("You have no such token."), code="not_found", status=404)


def token_obtain(*, request: HttpRequest, username: str, password: str) -> str:
    """Exchange credentials for a new API token's key; repeated failures lock the pair out (django-axes)."""
    user = authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        raise DomainError(
            _("Too many failed logins. Try again later."), code="throttled", status=429
        )
    if user is None:
        raise DomainError(_("Wrong username or password."), code="invalid_credentials", status=400)
    # A token is a login: the signal resets the failure count (django-axes) and records last_login.
    user_logged_in.send(sender=user.__class__, request=request, user=user)
    return token_issue(user=user)


def user_roles(user: User) -> dict:
    """What a user may do as staff: the flags, groups and direct permissions, in a form an audit entry keeps."""
    return {
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list("content_type__app_label", "codename")
        ),
    }


def user_roles_change_record(*, user: User, by, before: dict) -> None:
    """Audit a change of `user`'s roles made by `by` (before: `user_roles` as they were); no change, no entry."""
    after = user_roles(user)
    if after != before:
        audit_record(actor=by, action="user_roles_changed", subject=user, details={"before": before, "after": after})
