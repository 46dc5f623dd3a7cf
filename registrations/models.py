from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from core.models import BaseModel, IndustryDivision, Organisation, OutboundEmail, Prefecture
from registrations.size_class import IndustryDetail, SizeClass, industry_label
from registrations.validators import validate_corporate_number


class Business(BaseModel):
    """A firm (法人 or 個人事業主) in the program."""

    class EntityType(models.TextChoices):
        CORPORATION = "corporation", _("Corporation")
        SOLE_PROPRIETOR = "sole_proprietor", _("Sole proprietor")

    entity_type = models.CharField(_("entity type"), max_length=20, choices=EntityType.choices)
    corporate_number = models.CharField(
        _("corporate number"),
        max_length=13,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_corporate_number],
    )
    name = models.CharField(_("business name"), max_length=200)
    name_kana = models.CharField(_("business name (katakana)"), max_length=200)
    representative = models.CharField(_("representative"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=7, blank=True)
    prefecture = models.ForeignKey(
        Prefecture, verbose_name=_("prefecture"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("city and street"), max_length=200, blank=True)
    industry = models.ForeignKey(
        IndustryDivision, verbose_name=_("industry"), on_delete=models.PROTECT, related_name="+"
    )
    industry_detail = models.CharField(
        _("industry detail"), max_length=20, choices=IndustryDetail.choices, blank=True
    )
    size_class = models.CharField(
        _("size class"),
        max_length=10,
        choices=SizeClass.choices,
        blank=True,
        help_text=_("Derived from industry, capital and employees (SME Basic Act, art. 2)."),
    )
    name_key = models.CharField(
        _("normalised name"), max_length=200, blank=True, db_index=True, editable=False
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    capital_yen = models.BigIntegerField(_("capital (yen)"), null=True, blank=True)
    employees = models.PositiveIntegerField(_("employees"))
    website = models.URLField(_("website"), blank=True)
    referred_by = models.ForeignKey(
        Organisation,
        verbose_name=_("referred by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referred_businesses",
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entity_type="sole_proprietor")
                | models.Q(corporate_number__isnull=False)
                | models.Q(anonymised_at__isnull=False),
                name="business_corporation_has_corporate_number",
                violation_error_code="corporate_number_required",
                violation_error_message=_("A corporation needs its corporate number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def industry_label(self) -> str:
        """「製造業」, 「小売業（店舗・通信販売など）」: the option the firm chose, or the
        division's name (a record without its detail)."""
        return industry_label(self.industry_id, self.industry_detail) or self.industry.name


class Contact(BaseModel):
    """The person at a business the program talks to; may sign in as the business role.

    Knowing a firm's 法人番号 proves nothing: the first contact of a new business is active,
    a later person who registers for an existing business is pending until an active contact
    of the firm or its JETRO office approves. The address counts as verified once its owner
    used a link sent to it; a new address takes effect only then (`pending_email`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Acts for the business")
        PENDING = "pending", _("Waiting for approval")
        REJECTED = "rejected", _("Not approved")

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("full name"), max_length=100)
    name_kana = models.CharField(_("name (katakana)"), max_length=100, blank=True)
    department = models.CharField(_("department and title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_key = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    email_key = models.CharField(max_length=254, blank=True, db_index=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    status = models.CharField(
        _("access status"), max_length=10, choices=Status.choices, default=Status.PENDING,
        help_text=_("Only an active contact sees the firm's data; others wait for approval."),
    )  # fmt: skip
    email_verified_at = models.DateTimeField(
        _("e-mail verified at"),
        null=True,
        blank=True,
        help_text=_("When the owner of the address last used a link sent to it."),
    )
    pending_email = models.EmailField(
        _("new e-mail (not yet confirmed)"),
        blank=True,
        help_text=_("Takes effect once the link sent to it is used."),
    )
    email_change_nonce = models.CharField(max_length=32, blank=True, editable=False)
    decided_at = models.DateTimeField(_("approved or rejected at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved or rejected by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name


class ChallengeType(models.TextChoices):
    """取組区分: who may register (seed 000)."""

    FIRST_EXPORT = "first_export", _("First export")
    NEW_MARKET = "new_market", _("New country or region")
    NEW_PRODUCT = "new_product", _("New product or service")
    NEW_METHOD = "new_method", _("New method (e.g. cross-border e-commerce)")
    RESTART = "restart", _("Restarting exports")


class Situation(models.TextChoices):
    """現在の状況: what the firm is working on or stuck at."""

    NO_TARGET_COUNTRY = "no_target_country", _("Has not decided which country to export to")
    MARKET_RESEARCH = "market_research", _("Wants to research the target market")
    PRODUCT_DEVELOPMENT = "product_development", _("Developing a product for export")
    FIND_BUYERS = "find_buyers", _("Looking for business partners and buyers")
    TRADE_FAIRS = "trade_fairs", _("Wants to exhibit at trade fairs")
    START_EC = "start_ec", _("Wants to start cross-border e-commerce")
    TRADE_PRACTICE = "trade_practice", _("Does not know export procedures")
    FINANCE = "finance", _("Needs funding")
    REGULATION = "regulation", _("IP, certification and regulations")
    PEOPLE = "people", _("Staff and language skills")


class ExportExperience(models.TextChoices):
    NONE = "none", _("None")
    INDIRECT = "indirect", _("Indirect (through a trading company)")
    DIRECT = "direct", _("Direct")
    EC = "ec", _("Cross-border e-commerce")


class ReferralSource(models.TextChoices):
    """きっかけ・紹介元."""

    SHOKOKAI = "shokokai", _("Society of Commerce and Industry (商工会)")
    CHAMBER = "chamber", _("Chamber of Commerce and Industry (商工会議所)")
    MUNICIPALITY = "municipality", _("Local government")
    FINANCIAL = "financial", _("Financial institution")
    JETRO = "jetro", _("JETRO")
    SMRJ = "smrj", _("SME Support Japan (SMRJ)")
    WEB = "web", _("Web")
    SEMINAR = "seminar", _("Seminar")
    OTHER = "other", _("Other")


ORGANISATION_SOURCES = frozenset(
    {ReferralSource.SHOKOKAI, ReferralSource.CHAMBER, ReferralSource.MUNICIPALITY,
     ReferralSource.FINANCIAL, ReferralSource.JETRO, ReferralSource.SMRJ}
)  # fmt: skip


class Registration(BaseModel):
    """One registration with the program (相談・登録): online, or referred by a partner and
    confirmed by the firm. A firm that registers again gets a new registration on the same
    business (a re-registration)."""

    class Status(models.TextChoices):
        AWAITING_CONSENT = "awaiting_consent", _("Awaiting the firm's consent")
        AWAITING_APPROVAL = "awaiting_approval", _("Being confirmed")
        REGISTERED = "registered", pgettext_lazy("registration status", "Registered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Channel(models.TextChoices):
        ONLINE = "online", _("Online form")
        PARTNER = "partner", _("Partner referral")

    reference = models.CharField(_("reference number"), max_length=20, unique=True, editable=False)
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT,
        related_name="registrations",
    )  # fmt: skip
    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="registrations"
    )
    office = models.ForeignKey(
        Organisation, verbose_name=_("JETRO office"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="office_registrations",
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REGISTERED
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    is_reregistration = models.BooleanField(_("re-registration"), default=False)
    challenge_type = models.CharField(
        _("type of challenge"), max_length=20, choices=ChallengeType.choices
    )
    situations = models.JSONField(_("current situation"), default=list, blank=True)
    products = models.TextField(_("products or services to export"))
    destinations = CountryField(_("desired destinations"), multiple=True, blank=True)
    destinations_undecided = models.BooleanField(_("destinations undecided"), default=False)
    export_experience = models.CharField(
        _("export experience"), max_length=10, choices=ExportExperience.choices
    )
    ec_success = models.BooleanField(_("has succeeded in e-commerce sales"), default=False)
    referral_source = models.CharField(
        _("how did you hear about the program"), max_length=20, choices=ReferralSource.choices
    )
    referral_organisation_name = models.CharField(
        _("referring organisation"), max_length=120, blank=True
    )
    referred_by = models.ForeignKey(
        Organisation, verbose_name=_("referred by (partner)"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="referrals",
    )  # fmt: skip
    privacy_consented_at = models.DateTimeField(
        _("privacy notice accepted at"), null=True, blank=True
    )
    sharing_consented_at = models.DateTimeField(
        _("data sharing accepted at"), null=True, blank=True
    )
    notice_version = models.CharField(_("privacy notice version"), max_length=20, blank=True)
    consent_nonce = models.CharField(max_length=32, blank=True, editable=False)
    submission_token = models.UUIDField(unique=True, null=True, blank=True, editable=False)
    registered_at = models.DateTimeField(_("registered at"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    submitted_business = models.JSONField(
        _("business details as submitted"),
        default=dict,
        blank=True,
        help_text=_(
            "What the person typed about the business; a person waiting for approval sees "
            "this, never the business as stored."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        permissions = [
            ("refer_business", _("Can refer a business to the program")),
            ("review_duplicates", _("Can review suspected duplicates")),
            ("reopen_duplicates", _("Can undo a duplicate decision")),
        ]
        indexes = [
            models.Index(
                fields=["office", "status", "-created_at"], name="registration_office_list"
            ),
            models.Index(fields=["referred_by", "-created_at"], name="registration_partner_list"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="registered")
                | (models.Q(privacy_consented_at__isnull=False)
                   & models.Q(sharing_consented_at__isnull=False)),
                name="registration_registered_has_consent",
                violation_error_code="consent_required",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.reference

    @property
    def submitted_name(self) -> str:
        """The business name as typed in this registration (or as stored, for old rows)."""
        return self.submitted_business.get("name") or self.business.name

    @property
    def situation_labels(self) -> list[str]:
        return [Situation(code).label for code in self.situations if code in Situation.values]

    def get_situations_display(self) -> str:
        return "、".join(map(str, self.situation_labels))

    def get_submitted_business_display(self) -> str:
        """What the person typed, one line per item, named and ordered as the business's own
        fields (the prefecture by its name, the industry as chosen)."""
        typed = self.submitted_business
        keys = {"prefecture": "prefecture_name", "industry": "industry_option"}
        lines = []
        for model_field in Business._meta.concrete_fields:
            value = typed.get(keys.get(model_field.name, model_field.name))
            if value in (None, ""):
                continue
            if model_field.choices:
                value = dict(model_field.flatchoices).get(value, value)
            elif isinstance(value, int):
                value = f"{value:,}"
            lines.append(f"{capfirst(str(model_field.verbose_name))}: {value}")
        return "\n".join(lines)


class DuplicateFlag(BaseModel):
    """A suspected duplicate for staff review: a registration whose business looks like an
    existing one (same normalised name and the same phone or e-mail)."""

    class Reason(models.TextChoices):
        NAME_AND_PHONE = "name_phone", _("Same name and phone")
        NAME_AND_EMAIL = "name_email", _("Same name and e-mail")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
        MERGED = "merged", _("Merged")

    registration = models.ForeignKey(
        Registration, verbose_name=_("registration"), on_delete=models.CASCADE,
        related_name="duplicate_flags",
    )  # fmt: skip
    business = models.ForeignKey(
        Business, verbose_name=_("business registered"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    candidate = models.ForeignKey(
        Business, verbose_name=_("existing business"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suspected duplicate")
        verbose_name_plural = _("suspected duplicates")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "candidate"], name="duplicateflag_unique_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.business} ≈ {self.candidate}"


class DeletionRequest(BaseModel):
    """A firm asked for its data to be deleted (個人情報の削除の求め). An admin approves it,
    and the firm is then anonymised: its registrations and cases stay, without anything that
    identifies it, so the program's figures keep counting it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved: anonymised")
        REJECTED = "rejected", _("Rejected")

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT,
        related_name="deletion_requests",
    )  # fmt: skip
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["business"], condition=models.Q(status="pending"),
                name="deletionrequest_one_pending",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.business_id}: {self.get_status_display()}"


class BusinessMail(models.Model):
    """A firm mail in core's outbox that is about this business and went to its verified
    address: such mails, and only they, are part of the firm's data export."""

    email = models.OneToOneField(
        OutboundEmail, verbose_name=_("e-mail"), on_delete=models.CASCADE, primary_key=True,
        related_name="business_mail",
    )  # fmt: skip
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="mails"
    )

    class Meta:
        ordering = ["email"]
        verbose_name = _("firm mail")
        verbose_name_plural = _("firm mails")

    def __str__(self) -> str:
        return f"{self.business_id}: {self.email_id}"


class ContactDataAccess(models.Model):
    """Staff saw a firm's contact data (people, e-mail, phone, address): who, which firm, on
    which page, when. Append-only; admins read it in the admin (APPI handling record)."""

    class Page(models.TextChoices):
        REGISTRATION = "registration", _("Registration page")
        CASE = "case", _("Case page")
        DUPLICATES = "duplicates", _("Suspected duplicates")
        ADMIN = "admin", _("Administration")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("viewed by"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    page = models.CharField(_("page"), max_length=20, choices=Page.choices)
    path = models.CharField(_("address"), max_length=300)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("contact data access")
        verbose_name_plural = _("contact data accesses")
        indexes = [models.Index(fields=["business", "-at"], name="contactaccess_business")]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.business_id} ({self.page})"
