"""The progress reports' columns, as django-import-export resources: one row per firm, and the
aggregate tables in long form. The resources name and order the columns; reporting.exports
feeds them rows and writes CSV and XLSX without building the whole table in memory
(Resource.export() builds a tablib.Dataset first: 320 MB and 26 s for 100,000 rows, see
ADR 0009)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from import_export import fields, resources


class RowsResource(resources.Resource):
    """A resource over plain dict rows (the export queries return dicts, not models)."""

    def attributes(self) -> list[str]:
        return [field.attribute for field in self.get_export_fields()]

    def headers(self) -> list[str]:
        return self.get_export_headers()

    def values(self, rows):
        """Each row as a list in column order: the fast path of every export."""
        attributes = self.attributes()
        for row in rows:
            yield [row[attribute] for attribute in attributes]


def _field(attribute: str, column_name) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=column_name)


class BusinessProgressResource(RowsResource):
    """One row per firm. No contact data (people, e-mail, phone, address) and no notes."""

    reference = _field("reference", _("Reference number"))
    name = _field("name", _("Business name"))
    corporate_number = _field("corporate_number", _("Corporate number"))
    prefecture = _field("prefecture", _("Prefecture"))
    region = _field("region", _("METI region"))
    industry = _field("industry", _("Industry"))
    size_class = _field("size_class", _("Size class"))
    challenge_type = _field("challenge_type", _("Type of challenge"))
    referral = _field("referral", _("Referral channel"))
    registered_on = _field("registered_on", _("Registered on"))
    first_contact_on = _field("first_contact_on", _("First contact on"))
    stage = _field("stage", _("Stage"))
    status = _field("status", pgettext_lazy("case", "Status"))
    menus_proposed = _field("menus_proposed", _("Menus proposed"))
    menus_adopted = _field("menus_adopted", _("Menus adopted"))
    realised_on = _field("realised_on", _("Export realised on"))
    destinations = _field("destinations", _("Export destinations"))

    class Meta:
        export_order = (
            "reference", "name", "corporate_number", "prefecture", "region", "industry",
            "size_class", "challenge_type", "referral", "registered_on", "first_contact_on",
            "stage", "status", "menus_proposed", "menus_adopted", "realised_on", "destinations",
        )  # fmt: skip


class AggregateResource(RowsResource):
    """The dashboard's tables in long form: one row per table, category and measure."""

    table = _field("table", _("Table code"))
    table_title = _field("table_title", _("Table"))
    category_code = _field("category_code", _("Category code"))
    category = _field("category", _("Category"))
    measure = _field("measure", _("Measure code"))
    measure_label = _field("measure_label", _("Measure"))
    value = _field("value", _("Firms"))
    share = _field("share", _("Share of the total (%)"))

    class Meta:
        export_order = (
            "table", "table_title", "category_code", "category", "measure", "measure_label",
            "value", "share",
        )  # fmt: skip


class ReferralProgressResource(RowsResource):
    """One row per referral, for its partner: what each became. No contact data, no notes,
    no proposal messages."""

    reference = _field("reference", _("Reference number"))
    name = _field("name", _("Business name"))
    prefecture = _field("prefecture", _("Prefecture"))
    referred_on = _field("referred_on", _("Referred on"))
    status = _field("status", _("Registration status"))
    office = _field("office", _("JETRO office"))
    first_contact_on = _field("first_contact_on", _("First contact on"))
    stage = _field("stage", _("Stage"))
    case_status = _field("case_status", _("Case status"))
    menus_proposed = _field("menus_proposed", _("Support menus proposed"))
    menus_adopted = _field("menus_adopted", _("Support menus adopted"))
    realised = _field("realised", _("Export realised"))
    realised_on = _field("realised_on", _("Export realised on"))

    class Meta:
        export_order = (
            "reference", "name", "prefecture", "referred_on", "status", "office",
            "first_contact_on", "stage", "case_status", "menus_proposed", "menus_adopted",
            "realised", "realised_on",
        )  # fmt: skip
