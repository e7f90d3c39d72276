from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from emails import services
from emails.models import OutgoingEmail
from kernel.admin_actions import ReadOnlyAdmin, service_action


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    """The outbox: filter by status to see what is waiting or failed, and send failed ones again."""

    list_display = ["created_at", "notification", "address", "subject", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status"]
    search_fields = ["notification", "address", "subject"]
    date_hierarchy = "created_at"
    actions = [
        service_action(
            _("Send selected failed emails again"),
            lambda email, user, reason: services.email_retry(email_id=email.pk),
            name="retry_emails",
        )
    ]

    def has_review_permission(self, request):
        return request.user.has_perm("emails.change_outgoingemail")
