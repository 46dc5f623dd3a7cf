from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from registrations.models import Business, Contact


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Business)
class BusinessAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "corporate_number",
        "entity_type",
        "prefecture",
        "industry",
        "created_at",
    )
    list_filter = ("entity_type", "prefecture__region", "industry")
    list_select_related = ("prefecture", "industry")
    search_fields = ("corporate_number", "name", "name_kana")
    show_full_result_count = False
    raw_id_fields = ("referred_by",)
    inlines = [ContactInline]
