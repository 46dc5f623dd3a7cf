"""Reporting's own tables: the export log and the progress dashboard's fact table. The
figures themselves are read from the domain apps' tables (reporting.dashboard)."""

from django.conf import settings
from django.db import models
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from counselling.models import Case


class ProgressExport(BaseModel):
    """One progress-report export: who asked, when, with which filters and how many rows. It
    is the export log (exports are the likeliest leak of business data), and for a large XLSX
    also the job that builds the file in the background and keeps it for download."""

    class Kind(models.TextChoices):
        BUSINESSES = "businesses", _("Business-level progress")
        AGGREGATES = "aggregates", _("Aggregate tables (open data)")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "XLSX"

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        DELIVERED = "delivered", _("Delivered at once")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="progress_exports",
    )  # fmt: skip
    requested_via = models.CharField(_("requested via"), max_length=60)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    file = models.FileField(_("file"), upload_to="progress-exports/", blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress export")
        verbose_name_plural = _("progress exports")
        # The reporting pages' permissions (ROLE_GRANTS in reporting.permissions).
        permissions = [
            ("view_outcome_report", _("Can view the outcome report")),
            ("view_progress_dashboard", _("Can view the progress dashboard")),
            ("export_progress", _("Can export business-level progress data")),
        ]
        indexes = [
            models.Index(fields=["requested_by", "-created_at"], name="progressexport_by_user")
        ]

    def __str__(self) -> str:
        at = localtime(self.created_at)
        return f"{self.get_kind_display()} {self.format} {at:%Y-%m-%d %H:%M}"

    @property
    def filename(self) -> str:
        return f"progress-{self.kind}-{localtime(self.created_at):%Y%m%d-%H%M%S}.{self.format}"


class BusinessProgress(models.Model):
    """The dashboard's fact table: one row per firm (the case of its latest registration) with
    the codes and dates every figure is counted from. It is derived data, rebuilt as a whole
    every few minutes (reporting.services.business_progress_refresh), so the dashboard reads one
    narrow table instead of joining four large ones (ADR 0009)."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, primary_key=True,
        related_name="+",
    )  # fmt: skip
    business_id = models.BigIntegerField(_("business"))
    prefecture = models.CharField(_("prefecture"), max_length=2)
    region = models.CharField(_("METI region"), max_length=10)
    industry = models.CharField(_("industry"), max_length=1)
    size_class = models.CharField(_("size class"), max_length=10, blank=True)
    challenge_type = models.CharField(_("type of challenge"), max_length=20)
    referral_source = models.CharField(_("referral channel"), max_length=20)
    registered_at = models.DateTimeField(_("registered at"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True)
    first_proposed_on = models.DateField(_("first proposal"), null=True)
    first_adopted_on = models.DateField(_("first adoption"), null=True)
    realised_on = models.DateField(_("export realised on"), null=True)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=20)
    refreshed_at = models.DateTimeField(_("refreshed at"))

    class Meta:
        verbose_name = _("firm progress")
        verbose_name_plural = _("firm progress")
        indexes = [models.Index(fields=["registered_at"], name="businessprogress_registered_at")]

    def __str__(self) -> str:
        return str(self.case_id)
