from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role


class RegisterForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("I am joining as"), choices=Role.choices, widget=forms.RadioSelect)
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password_confirm = forms.CharField(label=_("Password again"), strip=False, widget=forms.PasswordInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("The two passwords differ."))
        return cleaned

    def registration(self) -> dict:
        """What accounts.services.user_register takes; the service judges the password's strength."""
        return {field: self.cleaned_data[field] for field in ("username", "email", "password", "role")}
