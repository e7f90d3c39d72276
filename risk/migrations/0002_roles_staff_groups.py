"""The resolve permission on cases, and the staff roles as Django groups (kernel/permissions.py lists them).

Lives in `risk`, the app that knows both `projects` and `investors`, so that it runs after every permission it
grants is declared. Django creates permissions only after all migrations; this one creates them first."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

from kernel.permissions import ROLE_PERMISSIONS, roles_sync


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    roles_sync(group_model=apps.get_model("auth", "Group"), permission_model=apps.get_model("auth", "Permission"))


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("ledger", "0001_initial"),
        ("projects", "0007_roles_permissions"),
        ("investors", "0007_roles_permissions"),
        ("risk", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="case",
            options={
                "ordering": ["-severity_rank", "opened_at"],
                "permissions": [("resolve_case", "Can resolve risk cases")],
            },
        ),
        migrations.RunPython(create_roles, remove_roles),
    ]
