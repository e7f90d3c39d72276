"""What every server-rendered page shares: who may open it, and how a service's answer or refusal reaches the user.

Pages parse what was posted with a form, call one service through `submit_form`, and redirect on success. The
service decides; its refusal comes back as a `DomainError`, which `show_refusal` puts beside the fields it names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property, partial, wraps
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict

from accounts.models import Role
from kernel.errors import DomainError

Result = TypeVar("Result")


def role_required(role: str) -> Callable:
    """Only signed-in users of `role` may open the page: staff decide in the admin, never act as an issuer."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(request: HttpRequest, *args, **kwargs):
            if request.user.role != role:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(guarded)

    return decorator


issuer_required = role_required(Role.ISSUER)
investor_required = role_required(Role.INVESTOR)


# Form fields with the same shape as the REST API's, and the browser's own date pickers.
MoneyField = partial(forms.DecimalField, max_digits=16, decimal_places=2)
DateInput = partial(forms.DateInput, attrs={"type": "date"}, format="%Y-%m-%d")
DateTimeInput = partial(forms.DateTimeInput, attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def posted(request: HttpRequest) -> QueryDict | None:
    """The data a form is bound to: what was posted, or nothing on a GET (an empty POST still binds the form)."""
    return request.POST if request.method == "POST" else None


class RowFormSet(forms.BaseFormSet):
    """Repeated rows of a list (uses of funds, commitments), with a few blank rows to fill in.

    Row forms declare every field optional: blank rows are left out, and the service, not the form, says what a
    partly filled row is missing. The service counts rows as `rows()` lists them, so its `<list>.<index>.<field>`
    errors are put back on the row they came from.
    """

    @cached_property
    def filled_forms(self) -> list[forms.Form]:
        # Cached: adding an error to a row removes that field from its cleaned_data, which must not renumber rows.
        return [form for form in self.forms if any(value not in (None, "") for value in form.cleaned_data.values())]

    def rows(self) -> list[dict]:
        return [dict(form.cleaned_data) for form in self.filled_forms]

    def add_row_error(self, path: str, message: str) -> None:
        """`path` is what follows the list's name in the service's key: `<index>.<field>`, `<index>`, or nothing."""
        index, _, field = path.partition(".")
        if not index.isdigit() or int(index) >= len(self.filled_forms):
            self.non_form_errors().append(message)
            return
        _add_form_error(self.filled_forms[int(index)], field, message)


def _add_form_error(form: forms.Form, field: str, message: str) -> None:
    form.add_error(field if field in form.fields else None, message)


Parts = Mapping[str, forms.Form | RowFormSet]


def show_refusal(
    request: HttpRequest, refusal: DomainError, form: forms.Form | None = None, parts: Parts | None = None
) -> None:
    """Show a service's refusal: its message at the top of the page, each field error beside its field.

    A dotted key goes to the part registered under its first segment: `use_of_funds.0.amount` to row 0 of the
    `use_of_funds` formset, `answers.horizon` to the `horizon` field of the form registered as `answers`. Keys that
    match no field become the form's general errors, or messages when the page has no form.
    """
    messages.error(request, refusal.message)
    parts = parts or {}
    for key, field_messages in refusal.fields.items():
        head, _, rest = key.partition(".")
        part = parts.get(head)
        for message in field_messages:
            if isinstance(part, RowFormSet):
                part.add_row_error(rest, message)
            elif part is not None and rest:
                _add_form_error(part, rest, message)
            elif form is not None:
                _add_form_error(form, key, message)
            else:
                messages.error(request, message)


def perform(
    request: HttpRequest,
    call: Callable[[], Result],
    *,
    success: str,
    form: forms.Form | None = None,
    parts: Parts | None = None,
) -> Result | None:
    """Call one service; flash `success` and return its answer, or show its refusal and return None."""
    try:
        result = call()
    except DomainError as refusal:
        show_refusal(request, refusal, form, parts)
        return None
    messages.success(request, success)
    return result


def submit_form(
    request: HttpRequest,
    form: forms.Form,
    call: Callable[[], Result],
    *,
    success: str,
    parts: Parts | None = None,
) -> Result | None:
    """When `form` (and every formset in `parts`) was posted and parses, `perform` the service call.

    None means there is nothing to redirect to: the page was only opened, or the input was refused; either way the
    page is rendered again with the form, which now carries its errors.
    """
    other_parts = [part for part in (parts or {}).values() if part is not form]
    if not form.is_bound or not all([form.is_valid(), *(part.is_valid() for part in other_parts)]):
        return None
    return perform(request, call, success=success, form=form, parts=parts)
