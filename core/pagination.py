"""One page size for every list of the site (cases, registrations, the office queue, the
ministry's firm list), so the lists page alike."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


def page_get(object_list, number) -> Page:
    """The page `number` (as the query string gives it: a bad or missing number is the first
    page, one past the end the last) of `object_list`, PAGE_SIZE rows to a page."""
    return Paginator(object_list, PAGE_SIZE).get_page(number)
