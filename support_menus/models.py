import calendar
import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel, DestinationRegion, IndustryDivision, Prefecture
from core.validators import (
    OUT_OF_STORABLE_RANGE,
    date_in_db_range,
    validate_past_date,
    validate_plan_date,
    validate_yen,
    yen_in_db_range,
)
from counselling.models import Case, IssueTag, Stage
from registrations.models import ChallengeType
from registrations.size_class import SizeClass


class Provider(models.Model):
    """An organisation that offers support menus (JETRO, 中小機構, 日本政策金融公庫 …)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    url = models.URLField(_("website"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    HANDS_ON = "hands_on", _("Hands-on expert support")
    CROSS_BORDER_EC = "cross_border_ec", _("Cross-border e-commerce")
    TRADE_FAIRS = "trade_fairs", _("Trade fairs and business meetings")
    TRADING_MATCHING = "trading_matching", _("Trading-company matching")
    FINANCE = "finance", _("Finance")
    INSURANCE = "insurance", _("Insurance")
    IP = "ip", _("Intellectual property")
    SUBSIDY = "subsidy", _("Subsidies")
    TRAINING = "training", _("Training and seminars")
    INFORMATION = "information", _("Information")


class ProductField(models.TextChoices):
    """What a menu may be restricted to; a firm's fields are read from its registration
    (support_menus/product_fields.py)."""

    FOOD = "food", _("Agricultural, forestry and fishery products and food")
    ALCOHOL = "alcohol", _("Alcoholic beverages")


class EcRule(models.TextChoices):
    """Who an e-commerce menu is for (seed 001: prefer firms without prior EC success)."""

    ANY = "any", _("Any firm")
    NO_EC_SUCCESS = "no_ec_success", _("Only firms without prior e-commerce success")
    EC_EXPERIENCED = "ec_experienced", _("Only firms with e-commerce experience")


def confirmation_cutoff(today: datetime.date) -> datetime.date:
    """A menu confirmed before this day (or never) is due for confirmation: its facts were
    not checked for settings.MENU_CONFIRMATION_MONTHS months."""
    year, month = divmod(today.year * 12 + today.month - 1 - settings.MENU_CONFIRMATION_MONTHS, 12)
    last_day = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(today.day, last_day))


subsidy_rate_validator = RegexValidator(
    r"^[1-9][0-9]?/[1-9][0-9]?$", _("Write the rate as a fraction, for example 1/2 or 2/3.")
)
WINDOW_ORDER = _("The application window cannot close before it opens.")


class SupportMenu(BaseModel):
    """One support menu of the catalogue, with the facts the matching engine reads.

    Empty eligibility lists mean "no restriction". Menus are switched off with ``active``,
    never deleted, so old proposals keep pointing at them."""

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="menus"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    summary = models.TextField(_("summary"))
    url = models.URLField(_("official URL"), max_length=300)
    source_url = models.URLField(_("source URL"), max_length=300, blank=True)
    stages = models.JSONField(_("stages served"), default=list)
    issue_tags = models.ManyToManyField(IssueTag, verbose_name=_("issues addressed"), blank=True)
    size_classes = models.JSONField(
        _("eligible size classes"), default=list, blank=True, help_text=_("Empty: any size.")
    )
    corporation_only = models.BooleanField(_("corporations only"), default=False)
    industries = models.ManyToManyField(
        IndustryDivision, verbose_name=_("eligible industries"), blank=True,
        help_text=_("None chosen: any industry."),
    )  # fmt: skip
    product_fields = models.JSONField(
        _("eligible product fields"), default=list, blank=True, help_text=_("Empty: any product.")
    )
    prefectures = models.ManyToManyField(
        Prefecture, verbose_name=_("eligible prefectures"), blank=True,
        help_text=_("None chosen: the whole country (local programmes name their prefecture)."),
    )  # fmt: skip
    ec_experience = models.CharField(
        _("e-commerce experience"), max_length=20, choices=EcRule.choices, default=EcRule.ANY
    )
    challenge_types = models.JSONField(
        _("eligible types of challenge"), default=list, blank=True, help_text=_("Empty: any.")
    )
    requires_target = models.BooleanField(_("requires an export target"), default=False)
    destination_regions = models.JSONField(
        _("destination regions"), default=list, blank=True, help_text=_("Empty: worldwide.")
    )
    fee_note = models.CharField(_("fees and self-payment"), max_length=300, blank=True)
    subsidy_cap_yen = models.BigIntegerField(
        _("subsidy cap (yen)"), null=True, blank=True, validators=[validate_yen]
    )
    subsidy_rate = models.CharField(
        _("subsidy rate"), max_length=5, blank=True, validators=[subsidy_rate_validator]
    )
    opens_on = models.DateField(
        _("application opens"), null=True, blank=True, validators=[validate_plan_date]
    )
    closes_on = models.DateField(
        _("application closes"), null=True, blank=True, validators=[validate_plan_date]
    )
    active = models.BooleanField(_("active"), default=True)
    confirmed_on = models.DateField(
        _("information confirmed on"), null=True, blank=True, validators=[validate_past_date],
        help_text=_("When someone last checked these facts against the official page."),
    )  # fmt: skip
    history = HistoricalRecords(m2m_fields=[issue_tags, industries, prefectures])

    class Meta:
        ordering = ["code"]
        verbose_name = _("support menu")
        verbose_name_plural = _("support menus")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True)
                | Q(closes_on__gte=models.F("opens_on")),
                name="supportmenu_window_order",
                violation_error_message=WINDOW_ORDER,
            ),
            models.CheckConstraint(
                condition=date_in_db_range("opens_on") & date_in_db_range("closes_on")
                & date_in_db_range("confirmed_on")
                & yen_in_db_range("subsidy_cap_yen"),
                name="supportmenu_dates_amounts_in_range",
                violation_error_message=OUT_OF_STORABLE_RANGE,
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        for field, choices in (
            ("stages", Stage), ("size_classes", SizeClass), ("challenge_types", ChallengeType),
            ("destination_regions", DestinationRegion), ("product_fields", ProductField),
        ):  # fmt: skip
            values = getattr(self, field)
            if not isinstance(values, list) or any(v not in choices.values for v in values):
                errors[field] = _("Unknown value. Allowed: %(allowed)s") % {
                    "allowed": ", ".join(choices.values)
                }
        if not errors.get("stages") and not self.stages:
            errors["stages"] = _("Choose at least one stage.")
        if errors:
            raise ValidationError(errors)

    @property
    def stage_labels(self) -> list[str]:
        return [Stage(code).label for code in self.stages if code in Stage.values]

    @property
    def confirmation_due(self) -> bool:
        """Nobody confirmed the menu's facts within settings.MENU_CONFIRMATION_MONTHS."""
        cutoff = confirmation_cutoff(timezone.localdate())
        return self.confirmed_on is None or self.confirmed_on < cutoff


class Proposal(BaseModel):
    """A support menu the concierge proposed on a case, with the score and reasons the
    matching engine gave at that moment, and where the firm is with it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPLIED = "applied", _("Applied")
        ADOPTED = "adopted", _("Adopted")
        REJECTED = "rejected", _("Not adopted")
        DECLINED = "declined", _("Declined by the firm")
        COMPLETED = "completed", _("Completed")

    ACTIVE_STATUSES = (Status.PROPOSED, Status.APPLIED, Status.ADOPTED)

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="proposals"
    )
    menu = models.ForeignKey(
        SupportMenu, verbose_name=_("support menu"), on_delete=models.PROTECT,
        related_name="proposals",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    score = models.IntegerField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)
    note = models.TextField(_("message to the firm"), blank=True)
    proposed_on = models.DateField(_("proposed on"), validators=[validate_past_date])
    applied_on = models.DateField(
        _("applied on"), null=True, blank=True, validators=[validate_past_date]
    )
    decided_on = models.DateField(
        _("decided on"), null=True, blank=True, validators=[validate_past_date]
    )
    completed_on = models.DateField(
        _("completed on"), null=True, blank=True, validators=[validate_past_date]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-proposed_on", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "menu"],
                condition=Q(status__in=["proposed", "applied", "adopted"]),
                name="proposal_one_active_per_menu",
                violation_error_message=_("This menu is already proposed on this case."),
            ),
            models.CheckConstraint(
                condition=date_in_db_range("proposed_on", nullable=False)
                & date_in_db_range("applied_on") & date_in_db_range("decided_on")
                & date_in_db_range("completed_on"),
                name="proposal_dates_in_range",
                violation_error_message=OUT_OF_STORABLE_RANGE,
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.case_id}: {self.menu_id}"


class CaseMenuRanking(models.Model):
    """The best-matching menus for an open case, kept by the nightly re-ranking job so that
    lists can show them without ranking on every page view."""

    case = models.OneToOneField(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, primary_key=True,
        related_name="menu_ranking",
    )  # fmt: skip
    top_menu = models.ForeignKey(
        SupportMenu, verbose_name=_("best match"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="+",
    )  # fmt: skip
    top = models.JSONField(_("best matches"), default=list)
    eligible_count = models.PositiveIntegerField(_("eligible menus"))
    ranked_at = models.DateTimeField(_("ranked at"))

    class Meta:
        verbose_name = _("case menu ranking")
        verbose_name_plural = _("case menu rankings")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.eligible_count}"


def import_storage():
    """Uploaded import files: under MEDIA_ROOT (never served), readable by the app's user only."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(file_permissions_mode=0o600, directory_permissions_mode=0o700)


class ImportJob(BaseModel):
    """A large import from the admin (survey results, the catalogue) run by a Celery worker:
    who uploaded which file and when, with which options, and how far it got. The file is kept
    until the import is done, so a broker outage or a failed run loses nothing."""

    class Kind(models.TextChoices):
        CATALOGUE = "catalogue", _("Support-menu catalogue")
        SURVEY_RESULTS = "survey_results", _("Survey results")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        "core.User", verbose_name=_("requested by"), on_delete=models.PROTECT,
        related_name="import_jobs",
    )  # fmt: skip
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", storage=import_storage,
                            blank=True)  # fmt: skip
    file_name = models.CharField(_("file name"), max_length=255)
    dry_run = models.BooleanField(_("check only (dry run)"), default=True)
    options = models.JSONField(_("options"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices,
                              default=Status.QUEUED)  # fmt: skip
    phase = models.CharField(_("phase"), max_length=20, blank=True)
    progress = models.PositiveIntegerField(_("rows done"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    summary = models.TextField(_("result"), blank=True)
    errors = models.JSONField(_("problems"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
