"""Request bodies are UTF-8 or refused (docs/adr/0015-clean-text.md).

Django decodes form data with the charset the request declares (or UTF-8) and replaces what
does not decode with U+FFFD, so a Shift_JIS POST is stored as mojibake, and an odd declared
charset can fail deep in a view. This middleware answers 400 (a Japanese page) first:

- a body declaring a charset other than UTF-8 (or ASCII, its subset);
- a urlencoded body whose decoded names or values are not UTF-8;
- a multipart body whose form fields or names (not the uploaded files' contents: an import
  may be a Shift_JIS CSV file, which the importer reads and explains itself) are not UTF-8.
"""

import codecs
import logging
from io import BytesIO
from urllib.parse import unquote_to_bytes

from django.http import HttpResponseBadRequest
from django.http.multipartparser import MultiPartParser
from django.template.loader import render_to_string
from django.utils.datastructures import ImmutableList
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("django.security.encoding")

ACCEPTED_CHARSETS = frozenset({"utf-8", "ascii"})
NOT_UTF8 = _(
    "The data sent could not be read as UTF-8 text. Open the page again in your browser and "
    "send the form from there."
)
# Django's multipart parser decodes fields with errors="replace" and no hook: this codec is
# UTF-8 that ignores the error handler it is given and always raises.
STRICT_UTF8 = "utf_8_strict_form"


def _strict_utf8_search(name: str):
    if name != STRICT_UTF8:
        return None
    return codecs.CodecInfo(
        name=STRICT_UTF8,
        encode=lambda text, errors="strict": codecs.utf_8_encode(text, "strict"),
        decode=lambda data, errors="strict": codecs.utf_8_decode(data, "strict", True),
    )


codecs.register(_strict_utf8_search)


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
    """Parse the form as Django would (`HttpRequest._load_post_and_files`), but with fields
    decoded strictly, and hand the result to the request, so the body is read once. Files go
    to the upload handlers untouched."""
    data = BytesIO(request._body) if hasattr(request, "_body") else request
    handlers = request.upload_handlers
    request.upload_handlers = ImmutableList(
        handlers, warning="You cannot alter upload handlers after the upload has been processed."
    )
    parser = MultiPartParser(request.META, data, handlers, STRICT_UTF8)
    try:
        post, request._files = parser.parse()
    except UnicodeDecodeError:
        request._mark_post_parse_error()
        return False
    except Exception:  # as Django does: never parse twice; the error answers 400 or 500
        request._mark_post_parse_error()
        raise
    post.encoding = "utf-8"
    request._post = post
    return True


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
        if request.content_type == "multipart/form-data" and request.method == "POST":
            return _multipart_fields_are_utf8(request)  # Django parses only a POST's form
        return True
