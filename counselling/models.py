from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.models import BaseModel, Organisation
from core.validators import (
    OUT_OF_STORABLE_RANGE,
    date_in_db_range,
    validate_past_date,
    validate_plan_date,
    validate_yen,
    yen_in_db_range,
)


class Stage(models.TextChoices):
    PREPARATION = "preparation", _("Export preparation")
    CHALLENGE = "challenge", _("Export challenge")
    EXPANSION = "expansion", _("Export continuation and expansion")


class IssueTag(models.Model):
    """課題: an editable list; retired tags are disabled, never deleted."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    disabled_on = models.DateField(_("disabled on"), null=True, blank=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("issue tag")
        verbose_name_plural = _("issue tags")

    def __str__(self) -> str:
        return self.name


class Case(BaseModel):
    """The counselling case a confirmed registration opens, routed to a JETRO office."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        COUNSELLING = "counselling", _("In counselling")
        PROPOSALS = "proposals", _("Proposals made")
        SUPPORT = "support", _("In support")
        FOLLOW_UP = "follow_up", _("Follow-up")
        REALISED = "realised", _("Export realised")
        CLOSED = "closed", _("Closed")

    class CloseReason(models.TextChoices):
        REALISED = "realised", _("Export realised")
        DECLINED = "declined", _("Declined by the firm")
        UNREACHABLE = "unreachable", _("Unreachable")
        INELIGIBLE = "ineligible", _("Not eligible")
        DUPLICATE = "duplicate", _("Duplicate")

    OPEN_STATUSES = (
        Status.NEW, Status.CONTACTED, Status.COUNSELLING, Status.PROPOSALS, Status.SUPPORT,
        Status.FOLLOW_UP,
    )  # fmt: skip

    registration = models.OneToOneField(
        "registrations.Registration", verbose_name=_("registration"), on_delete=models.PROTECT,
        related_name="case",
    )  # fmt: skip
    office = models.ForeignKey(
        Organisation, verbose_name=_("JETRO office"), on_delete=models.PROTECT,
        related_name="cases",
    )  # fmt: skip
    concierge = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("concierge"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="cases",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    first_contact_due = models.DateField(_("first contact due"))
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_action_due = models.DateField(
        _("next action due"), null=True, blank=True, validators=[validate_plan_date]
    )
    target_country = CountryField(_("target country"), blank=True)
    target_product = models.CharField(_("target product"), max_length=200, blank=True)
    target_amount_yen = models.BigIntegerField(
        _("target amount (yen)"), null=True, blank=True, validators=[validate_yen]
    )
    target_date = models.DateField(
        _("target date"), null=True, blank=True, validators=[validate_plan_date]
    )
    support_started_at = models.DateTimeField(_("support started"), null=True, blank=True)
    stage_changed_at = models.DateTimeField(_("stage changed"), null=True, blank=True)
    support_reviewed_at = models.DateTimeField(_("support reviewed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    realised_on = models.DateField(
        _("export realised on"), null=True, blank=True, validators=[validate_past_date]
    )
    close_reason = models.CharField(
        _("reason for closing"), max_length=20, choices=CloseReason.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["first_contact_due", "id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("assign_case", _("Can assign cases to concierges"))]
        indexes = [
            models.Index(fields=["office", "concierge", "status"], name="case_office_queue"),
            models.Index(fields=["concierge", "next_action_due"], name="case_my_cases"),
        ]
        # Dates every list and report reads stay readable (ADR 0013).
        constraints = [
            models.CheckConstraint(
                condition=date_in_db_range(field, timestamp=timestamp),
                name=f"case_{field}_in_range",
                violation_error_message=OUT_OF_STORABLE_RANGE,
            )
            for field, timestamp in (
                ("first_contact_at", True), ("last_contact_at", True), ("target_date", False),
                ("next_action_due", False), ("realised_on", False),
            )
        ] + [
            models.CheckConstraint(
                condition=yen_in_db_range("target_amount_yen"),
                name="case_target_amount_yen_not_negative",
                violation_error_message=OUT_OF_STORABLE_RANGE,
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return str(self.registration_id)

    @property
    def has_target(self) -> bool:
        return bool(
            self.target_country and self.target_product and self.target_amount_yen
            and self.target_date
        )  # fmt: skip

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class CounsellingSession(BaseModel):
    """A contact or counselling session (個別カウンセリング) with the firm."""

    class Channel(models.TextChoices):
        MEETING = "meeting", _("Face to face")
        ONLINE = "online", _("Online")
        PHONE = "phone", pgettext_lazy("session channel", "Phone")
        EMAIL = "email", pgettext_lazy("session channel", "E-mail")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions"
    )
    held_at = models.DateTimeField(_("date and time"), validators=[validate_past_date])
    channel = models.CharField(
        pgettext_lazy("session", "channel"), max_length=10, choices=Channel.choices
    )
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=30)
    attendees = models.CharField(_("attendees"), max_length=300, blank=True)
    tags = models.ManyToManyField(IssueTag, verbose_name=_("issues"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    stage_assessed = models.CharField(
        _("stage assessed"), max_length=20, choices=Stage.choices, blank=True
    )
    buyer_talks = models.BooleanField(_("talks with buyers under way"), default=False)
    contact_only = models.BooleanField(
        _("first contact only"), default=False,
        help_text=_("Tick when this was only the first contact, not yet counselling: the case "
                    "moves to Contacted, not to In counselling."),
    )  # fmt: skip
    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        ordering = ["-held_at", "-id"]
        verbose_name = _("counselling session")
        verbose_name_plural = _("counselling sessions")
        indexes = [models.Index(fields=["case", "-held_at"], name="session_case_recent")]
        constraints = [
            models.CheckConstraint(
                condition=date_in_db_range("held_at", timestamp=True, nullable=False),
                name="session_held_at_in_range",
                violation_error_message=OUT_OF_STORABLE_RANGE,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.held_at:%Y-%m-%d}"


class StageChange(BaseModel):
    """A case's move from one stage to another, with the reason. Append-only (like CaseEvent):
    the database refuses UPDATE and DELETE; the people who made it are kept (PROTECT)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("from"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(
        pgettext_lazy("stage change", "to"), max_length=20, choices=Stage.choices
    )
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"


class SupportReview(BaseModel):
    """The lead's decision on a case in support for over a year without stage progress
    (seed 001: shorten support when a firm does not progress)."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue support")
        SHORTEN = "shorten", _("Shorten support")
        CLOSE = "close", _("Close the case")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="support_reviews"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("support-duration review")
        verbose_name_plural = _("support-duration reviews")

    def __str__(self) -> str:
        return f"{self.case_id}: {self.decision}"


class CaseEvent(models.Model):
    """One line of the case timeline. Services append one for everything that happens, so
    the case page reads its whole history with one query. Append-only: the database refuses
    UPDATE and DELETE (migration 0005), except the erasure of personal data from `summary`
    by counselling.services.case_history_erase; the actor is kept (PROTECT)."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", pgettext_lazy("case event", "Registered")
        ASSIGNED = "assigned", _("Assigned")
        SESSION = "session", _("Contact or session")
        STAGE = "stage", _("Stage changed")
        STATUS = "status", _("Status changed")
        TARGET = "target", _("Export target set")
        REVIEW = "review", _("Support-duration review")
        EMAIL = "email", _("E-mail to the firm")
        PROPOSAL = "proposal", _("Support menu proposal")
        NEXT_ACTION = "next_action", _("Next action")
        SESSION_CORRECTED = "session_edit", _("Session corrected")
        SURVEY = "survey", _("Follow-up survey answered")

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    summary = models.CharField(_("summary"), max_length=300)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [models.Index(fields=["case", "-at"], name="caseevent_timeline")]

    def __str__(self) -> str:
        return self.summary
