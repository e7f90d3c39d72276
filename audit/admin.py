from django.contrib import admin

from audit.models import AuditEntry
from kernel.admin_actions import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "at", "actor", "action", "subject_type", "subject_id", "subject"]
    list_filter = ["action", "subject_type"]
    search_fields = ["actor", "subject", "subject_id"]
    date_hierarchy = "at"
