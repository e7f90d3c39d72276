from django.contrib import admin
from django.db.models import Sum

from kernel.admin_actions import ReadOnlyAdmin
from ledger.models import Account, Entry, Line


class LineInline(admin.TabularInline):
    model = Line
    extra = 0
    can_delete = False
    fields = ["account", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["posted_at", "key", "description", "currency"]
    search_fields = ["key", "description"]
    inlines = [LineInline]
    date_hierarchy = "posted_at"


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "kind", "currency", "balance"]
    list_filter = ["kind", "currency"]
    search_fields = ["code"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(total=Sum("lines__amount"))

    @admin.display(description="balance (in the account's currency)", ordering="total")
    def balance(self, account):
        return account.total or 0
