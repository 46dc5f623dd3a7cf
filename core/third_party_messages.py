"""Messages of the libraries we use that their own Japanese catalogues leave untranslated.
Listing them here puts them in locale/ja (our catalogue comes first), so the admin's import
page answers in Japanese too. Nothing calls these: they are read by makemessages."""

from django.utils.translation import gettext_noop

IMPORT_EXPORT_MESSAGES = (
    gettext_noop(
        "No valid data to import. Ensure your file has the correct headers or data for import."
    ),
    gettext_noop(
        "%(exc_name)s encountered while trying to read file. "
        "Ensure you have chosen the correct format for the file."
    ),
)
