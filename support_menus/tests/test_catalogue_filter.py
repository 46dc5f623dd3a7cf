"""The catalogue's yes/no filter reads すべて／はい／いいえ, and いいえ keeps what is not."""

import re

import pytest
from django.urls import reverse

from core.roles import Role
from support_menus.tests.factories import SupportMenuFactory

pytestmark = pytest.mark.django_db


def test_the_active_filter_reads_all_yes_no_and_filters_both_ways(client, users):
    active = SupportMenuFactory(code="m-open", active=True)
    retired = SupportMenuFactory(code="m-retired", active=False)
    client.force_login(users[Role.CONCIERGE])
    url = reverse("support_menus:menu-list")

    select = re.search(r'<select name="active"[^>]*>(.*?)</select>', client.get(url).text, re.S)
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select.group(1))
    assert options == [("unknown", "すべて"), ("true", "はい"), ("false", "いいえ")]

    def listed(value):
        return {menu.code for menu in client.get(url, {"active": value}).context["page"]}

    assert listed("true") == {active.code}
    assert listed("false") == {retired.code}
    assert listed("unknown") == {active.code, retired.code}
