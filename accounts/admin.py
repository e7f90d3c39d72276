from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts import services
from accounts.models import User

NO_ROLES = {"is_staff": False, "is_superuser": False, "groups": [], "permissions": []}


@admin.register(User)
class MichouUserAdmin(UserAdmin):
    list_display = ["username", "email", "role", "is_staff", "is_active", "date_joined"]
    list_filter = ["role", "is_staff", "is_active"]
    fieldsets = UserAdmin.fieldsets + (("Michou", {"fields": ["role"]}),)

    def save_model(self, request, obj, form, change):
        # Groups and permissions are saved after the user (save_related): compare once both are.
        stored = User.objects.filter(pk=obj.pk).first() if change else None
        request.roles_before = services.user_roles(stored) if stored is not None else NO_ROLES
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.user_roles_change_record(user=form.instance, by=request.user, before=request.roles_before)
