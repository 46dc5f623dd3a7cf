"""No copy of a page or download with personal data is kept by a browser or a proxy: every
response Django renders says `Cache-Control: no-store` (django.utils.cache's never-cache
headers). Signed-in pages, the firm's my/data downloads, exports and the e-mailed link pages
(survey, consent, set-password) are all covered by the one rule, so a new view cannot forget it.

Static files are served by WhiteNoise before this middleware is reached and keep their long
caching. A response to an anonymous request that already says how it may be cached (a view's
own `Cache-Control`) is left alone; for a signed-in user no-store always wins."""

from django.utils.cache import add_never_cache_headers


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class NoStoreMiddleware:
    """Put right after WhiteNoise, so static files never pass through it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control") or _signed_in(request):
            add_never_cache_headers(response)
        return response
