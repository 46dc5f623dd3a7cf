from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords


class BaseModel(models.Model):
    """Who created and last changed a row, and when. Domain models extend this."""

    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        abstract = True


class MetiRegion(models.TextChoices):
    """The regions of the METI regional bureaus (経済産業局), plus Okinawa."""

    HOKKAIDO = "hokkaido", _("Hokkaido")
    TOHOKU = "tohoku", _("Tohoku")
    KANTO = "kanto", _("Kanto")
    CHUBU = "chubu", _("Chubu")
    KINKI = "kinki", _("Kinki")
    CHUGOKU = "chugoku", _("Chugoku")
    SHIKOKU = "shikoku", _("Shikoku")
    KYUSHU = "kyushu", _("Kyushu")
    OKINAWA = "okinawa", _("Okinawa")


class DestinationRegion(models.TextChoices):
    """The destination regions the program reports exports by."""

    ASIA = "asia", _("Asia")
    NORTH_AMERICA = "north_america", _("North America")
    EUROPE = "europe", _("Europe")
    MIDDLE_EAST = "middle_east", _("Middle East")
    OCEANIA = "oceania", _("Oceania")
    LATIN_AMERICA = "latin_america", _("Latin America")
    AFRICA = "africa", _("Africa")
    OTHER = "other", _("Other")


class Prefecture(models.Model):
    """A prefecture (JIS X 0401 code) and the JETRO office its firms are routed to."""

    code = models.CharField(_("JIS code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=10, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=20)
    region = models.CharField(_("METI region"), max_length=10, choices=MetiRegion.choices)
    office = models.ForeignKey(
        "core.Organisation",
        verbose_name=_("JETRO office"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_prefectures",
        limit_choices_to={"kind": "jetro_office"},
        help_text=_("The office whose queue receives new cases from this prefecture."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("prefecture")
        verbose_name_plural = _("prefectures")

    def __str__(self) -> str:
        return self.name


class IndustryDivision(models.Model):
    """A division (大分類, A–T) of the Japan Standard Industrial Classification, rev. 14."""

    code = models.CharField(_("code"), max_length=1, primary_key=True)
    name = models.CharField(_("name"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=80)

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry division")
        verbose_name_plural = _("industry divisions")

    def __str__(self) -> str:
        return self.name  # people know their trade by name, not by its letter


class CountryRegion(models.Model):
    """The destination region every ISO 3166-1 country is reported under."""

    country = CountryField(_("country"), primary_key=True)
    region = models.CharField(_("region"), max_length=20, choices=DestinationRegion.choices)

    class Meta:
        ordering = ["country"]
        verbose_name = _("country region")
        verbose_name_plural = _("country regions")

    def __str__(self) -> str:
        return f"{self.country.name}: {self.get_region_display()}"


class Organisation(BaseModel):
    """A JETRO office, a referring partner (商工会, 商工会議所, 自治体, 金融機関) or a ministry."""

    class Kind(models.TextChoices):
        JETRO_HQ = "jetro_hq", _("JETRO headquarters")
        JETRO_OFFICE = "jetro_office", _("JETRO domestic office")
        SHOKOKAI = "shokokai", _("Society of Commerce and Industry (商工会)")
        CHAMBER = "chamber", _("Chamber of Commerce and Industry (商工会議所)")
        MUNICIPALITY = "municipality", _("Local government")
        FINANCIAL = "financial", _("Financial institution")
        SMRJ = "smrj", _("SME Support Japan (SMRJ)")
        MINISTRY = "ministry", _("Ministry")
        OTHER = "other", _("Other")

    PARTNER_KINDS = (Kind.SHOKOKAI, Kind.CHAMBER, Kind.MUNICIPALITY, Kind.FINANCIAL)

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    prefecture = models.ForeignKey(
        Prefecture,
        verbose_name=_("prefecture"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    disabled_on = models.DateField(_("disabled on"), null=True, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True,
        help_text=_("The office's number firms call (shown to its firms and in its e-mails)."),
    )  # fmt: skip
    email = models.EmailField(
        _("e-mail"), blank=True,
        help_text=_("The office's address firms write to: the Reply-To of its firms' e-mails."),
    )  # fmt: skip
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Their role is the role group they belong to (core.roles)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    case_reminders = models.BooleanField(
        _("daily e-mail about cases that need action"), default=True
    )
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        """Family name first, as Japanese names are written (山田 花子)."""
        return f"{self.last_name} {self.first_name}".strip()

    @cached_property
    def role(self):
        """The user's role, or None. One query, cached on the instance for the request."""
        from core.roles import role_of

        return role_of(self)


class OutboundEmail(models.Model):
    """One e-mail to send. The row is written in the caller's transaction, so a broker outage
    or a crash never loses it; the dispatcher task sends pending rows and never sends a key
    twice."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        FIRM = "firm", _("To a firm about its registration or case")
        STAFF = "staff", _("To staff")
        ACCOUNT = "account", _("Account (password, second factor, address confirmation)")

    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    to = models.EmailField(_("to"))
    reply_to = models.EmailField(
        _("reply to"), blank=True, help_text=_("Where the recipient's reply goes (the office).")
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    kind = models.CharField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        help_text=_(
            "Account mails are never part of a firm's data export, and their bodies are "
            "blanked once delivered."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(status="pending"),
                name="outboundemail_pending_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("admin:core_outboundemail_change", args=[self.pk])


class TwoFactorInvitation(models.Model):
    """An admin's invitation to set up (or replace, after a lost phone) a staff member's
    authenticator: a single-use link e-mailed to their address that expires. Only a hash of
    the link's token is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("two-step verification invitation")
        verbose_name_plural = _("two-step verification invitations")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def usable(self) -> bool:
        return self.used_at is None and self.expires_at > timezone.now()
