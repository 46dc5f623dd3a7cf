"""Request bodies are UTF-8 or refused (docs/adr/0015-clean-text.md).

Django decodes form data with the charset the request declares (or UTF-8) and replaces what
does not decode with U+FFFD, so a Shift_JIS POST is stored as mojibake, and an odd declared
charset can fail deep in a view. This middleware answers 400 (a Japanese page) first:

- a body declaring a charset other than UTF-8 (or ASCII, its subset);
- a urlencoded body whose decoded names or values are not UTF-8;
- a multipart body whose form fields (not the uploaded files: an import may be a Shift_JIS
  CSV file, which the importer reads and explains itself) hold what did not decode.
"""

import codecs
import logging
from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("django.security.encoding")

ACCEPTED_CHARSETS = frozenset({"utf-8", "ascii"})
NOT_UTF8 = _(
    "The data sent could not be read as UTF-8 text. Open the page again in your browser and "
    "send the form from there."
)
REPLACEMENT = "\ufffd"


def _charset_accepted(charset: str) -> bool:
    try:
        return codecs.lookup(charset).name in ACCEPTED_CHARSETS
    except LookupError:
        return False


def _urlencoded_is_utf8(body: bytes) -> bool:
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return False
    return True


def _multipart_fields_are_utf8(request) -> bool:
    """Django's parser has decoded the fields with errors="replace": a U+FFFD in a field is
    a byte sequence that was not UTF-8 (files are not looked at)."""
    return not any(
        REPLACEMENT in value for _name, values in request.POST.lists() for value in values
    )


class Utf8RequestMiddleware:
    """Put it right after SecurityMiddleware: nothing before it reads the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("POST", "PUT", "PATCH") and not self._readable(request):
            logger.warning("Refused a %s to %s that is not UTF-8", request.method, request.path)
            return HttpResponseBadRequest(render_to_string("400.html", {"reason": NOT_UTF8}))
        return self.get_response(request)

    @staticmethod
    def _readable(request) -> bool:
        charset = request.content_params.get("charset")
        if charset is not None and not _charset_accepted(charset):
            return False
        if request.content_type == "application/x-www-form-urlencoded":
            return _urlencoded_is_utf8(request.body)
        if request.content_type == "multipart/form-data":
            return _multipart_fields_are_utf8(request)
        return True
