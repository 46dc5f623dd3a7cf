from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.models import BaseModel
from core.validators import (
    OUT_OF_STORABLE_RANGE,
    date_in_db_range,
    validate_past_date,
    validate_yen,
    yen_in_db_range,
)
from counselling.models import Case


class Survey(BaseModel):
    """One follow-up wave for a case (6, 12, 24, 36 months after its first proposal): the
    e-mailed link, its reminders and whether the firm answered."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="surveys"
    )
    wave_months = models.PositiveSmallIntegerField(_("wave (months after the first proposal)"))
    due_on = models.DateField(_("due on"))
    closes_on = models.DateField(_("closes on"))
    token_nonce = models.CharField(max_length=32, blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminder1_at = models.DateTimeField(_("first reminder"), null=True, blank=True)
    reminder2_at = models.DateTimeField(_("second reminder"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["case", "wave_months"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(fields=["case", "wave_months"], name="survey_one_per_wave"),
        ]
        indexes = [
            # The reminder sweep reads only sent, unanswered surveys still waiting for one.
            models.Index(
                fields=["sent_at"],
                condition=Q(answered_at__isnull=True, opted_out_at__isnull=True,
                            reminder2_at__isnull=True, sent_at__isnull=False),
                name="survey_reminder_due",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.case_id}: {self.wave_months}"

    def is_open_on(self, day) -> bool:
        return self.opted_out_at is None and day <= self.closes_on


class SurveyResponse(BaseModel):
    """The firm's answer to a survey (seed 001's questions), given on the web, by phone, in a
    hearing, or imported."""

    class ExportRealised(models.TextChoices):
        YES = "yes", _("Yes, exported")
        NO = "no", pgettext_lazy("export realised", "No")
        NEGOTIATING = "negotiating", _("In negotiation")

    class Mode(models.TextChoices):
        DIRECT = "direct", _("Direct export")
        INDIRECT = "indirect", _("Indirect export (through a trading company)")
        EC = "ec", _("Cross-border e-commerce")

    class YesNo(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")

    class Trajectory(models.TextChoices):
        INCREASED = "increased", _("Increased")
        FLAT = "flat", _("Flat")
        DECREASED = "decreased", _("Decreased")

    class OwnEffort(models.TextChoices):
        PR = "pr", _("Stronger PR")
        HIRING = "hiring", _("Hiring staff")
        PRODUCT = "product", _("Improving products")
        OWN_EC = "own_ec", _("Own e-commerce site")
        OWN_FAIRS = "own_fairs", _("Exhibiting at trade fairs on its own")
        SALES = "sales", _("Own sales to find buyers")
        OTHER = "other", _("Other")

    class FeeBand(models.TextChoices):
        """Bands without gaps (seed 001's 10万円以下, 11〜20万円… left 100,001 to 109,999
        yen out): each code keeps its upper bound, so earlier answers keep their meaning."""

        ZERO = "0", _("Nothing (0 yen)")
        LE100K = "le100k", _("Up to 100,000 yen")
        LE200K = "le200k", _("Over 100,000 and up to 200,000 yen")
        LE300K = "le300k", _("Over 200,000 and up to 300,000 yen")
        GT300K = "gt300k", _("Over 300,000 yen")

    class Source(models.TextChoices):
        WEB = "web", _("Web form")
        PHONE = "phone", pgettext_lazy("survey answered by", "Phone")
        HEARING = "hearing", _("Hearing")
        IMPORT = "import", _("Import")

    survey = models.OneToOneField(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="response"
    )
    export_realised = models.CharField(
        _("export realised"), max_length=20, choices=ExportRealised.choices
    )
    first_export_date = models.DateField(
        _("first export date"), null=True, blank=True, validators=[validate_past_date]
    )
    destinations = CountryField(_("destinations"), multiple=True, blank=True)
    products = models.CharField(_("products exported"), max_length=300, blank=True)
    amount_yen = models.BigIntegerField(
        _("export amount in the period (yen)"), null=True, blank=True,
        validators=[validate_yen],
    )  # fmt: skip
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, blank=True)
    target_set = models.CharField(
        _("an export target was set"), max_length=3, choices=YesNo.choices, blank=True
    )
    target_achieved = models.CharField(
        _("the target was achieved"), max_length=3, choices=YesNo.choices, blank=True
    )
    trajectory = models.CharField(
        _("exports since the support"), max_length=10, choices=Trajectory.choices, blank=True
    )
    own_efforts = models.JSONField(_("own efforts besides the program"), default=list, blank=True)
    menus_used = models.ManyToManyField(
        "support_menus.SupportMenu", verbose_name=_("support menus used"), blank=True,
        related_name="+",
    )  # fmt: skip
    fee_band = models.CharField(
        _("fee the firm would accept per support"), max_length=10, choices=FeeBand.choices,
        blank=True,
    )  # fmt: skip
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1 to 5)"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )  # fmt: skip
    comments = models.TextField(_("comments"), blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    answered_at = models.DateTimeField(_("answered at"), validators=[validate_past_date])
    history = HistoricalRecords(m2m_fields=[menus_used])

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(
                condition=date_in_db_range("first_export_date")
                & date_in_db_range("answered_at", timestamp=True, nullable=False)
                & yen_in_db_range("amount_yen"),
                name="surveyresponse_dates_amounts_in_range",
                violation_error_message=OUT_OF_STORABLE_RANGE,
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.survey}: {self.export_realised}"

    def get_own_efforts_display(self) -> str:
        labels = dict(self.OwnEffort.choices)
        return "、".join(str(labels.get(code, code)) for code in self.own_efforts)
