"""Static files keep their long caching under core.cache_control.NoStoreMiddleware (pages
and downloads with personal data: tests/test_cache_control.py)."""

from django.test import Client


def test_static_files_keep_their_caching(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/vendor/htmx/htmx.min.js")  # a new client: fresh middleware
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert "max-age" in response.get("Cache-Control", "")
