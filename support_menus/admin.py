from django import forms
from django.contrib import admin
from import_export.admin import ImportExportModelAdmin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyHistoryAdmin
from core.models import DestinationRegion
from counselling.models import Stage
from registrations.models import ChallengeType
from registrations.size_class import SizeClass
from support_menus.models import CaseMenuRanking, Proposal, Provider, SupportMenu
from support_menus.resources import (
    CatalogueFileError,
    SupportMenuResource,
    dataset_read,
    encoding_problem,
)


def _choices_field(choices, label, required=False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices.choices, required=required,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip


class SupportMenuAdminForm(forms.ModelForm):
    """The JSON lists edited as ticks instead of raw JSON."""

    stages = _choices_field(Stage, SupportMenu._meta.get_field("stages").verbose_name, True)
    size_classes = _choices_field(
        SizeClass, SupportMenu._meta.get_field("size_classes").verbose_name
    )
    challenge_types = _choices_field(
        ChallengeType, SupportMenu._meta.get_field("challenge_types").verbose_name
    )
    destination_regions = _choices_field(
        DestinationRegion, SupportMenu._meta.get_field("destination_regions").verbose_name
    )

    class Meta:
        model = SupportMenu
        fields = "__all__"  # noqa: DJ007 (the admin edits every field)


class CatalogueXLSX(base_formats.XLSX):
    """The admin reads an XLSX catalogue as the command does: its declared size and unpacked
    size are checked before any row is read (support_menus/xlsx.py)."""

    def create_dataset(self, in_stream):
        return dataset_read(in_stream, "xlsx")


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "url")
    search_fields = ("code", "name")


@admin.register(SupportMenu)
class SupportMenuAdmin(ImportExportModelAdmin, SimpleHistoryAdmin):
    """Import and export in the `catalogue` command's columns (CSV UTF-8 and XLSX); the import
    shows a dry-run preview with row-numbered errors and applies all rows or none."""

    form = SupportMenuAdminForm
    resource_classes = [SupportMenuResource]
    formats = [base_formats.CSV, CatalogueXLSX]
    list_display = ("code", "name", "provider", "category", "active", "opens_on", "closes_on")
    list_filter = ("active", "category", "provider")
    list_select_related = ("provider",)
    search_fields = ("code", "name", "summary")
    filter_horizontal = ("issue_tags", "industries", "prefectures")
    readonly_fields = ("created_at", "created_by", "updated_by")

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "actor": request.user}

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UnicodeDecodeError):
            form.add_error("import_file", encoding_problem(e.object))
        elif isinstance(e, CatalogueFileError):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyHistoryAdmin):
    """Proposals change only through the case page (services, timeline, e-mail)."""

    list_display = ("case", "menu", "status", "score", "proposed_on", "decided_on")
    list_filter = ("status",)
    list_select_related = ("menu",)
    raw_id_fields = ("case", "menu")


@admin.register(CaseMenuRanking)
class CaseMenuRankingAdmin(admin.ModelAdmin):
    """Kept by the re-ranking job; shown for checking, never edited by hand."""

    list_display = ("case", "top_menu", "eligible_count", "ranked_at")
    list_select_related = ("top_menu",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
