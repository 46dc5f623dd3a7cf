from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import BaseModel, IndustryDivision, Organisation, Prefecture
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
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entity_type="sole_proprietor")
                | models.Q(corporate_number__isnull=False),
                name="business_corporation_has_corporate_number",
                violation_error_code="corporate_number_required",
                violation_error_message=_("A corporation needs its corporate number."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(BaseModel):
    """The person at a business the program talks to; may sign in as the business role."""

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("full name"), max_length=100)
    name_kana = models.CharField(_("name (katakana)"), max_length=100, blank=True)
    department = models.CharField(_("department and title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name
