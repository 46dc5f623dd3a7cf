"""Locust scenarios for `make load` (bin/load): the public registration form, a concierge's
case list and case page, and /healthz/ as the ceiling (the cheapest Django view there is).

The app runs with production settings over plain HTTP, as behind a TLS-terminating proxy:
every request carries `X-Forwarded-Proto: https` (SECURE_PROXY_SSL_HEADER). Session and CSRF
cookies are Secure (`__Secure-…`) and Python's cookie jar will not send a Secure cookie over
http, so each user sends its cookies itself (`_cookies`). POSTs carry an Origin header, which
Django's CSRF check compares with the host for secure requests.

User classes are chosen on the command line (`locust -f loadtest/locustfile.py HealthUser`):
  HealthUser        GET /healthz/ only: the machine's ceiling.
  RegisterPageUser  GET /register/ only: compared with the ceiling.
  Registrant        GET /register/ then a valid registration POST (expects 302).
  Concierge         signs in as LOAD_CONCIERGE (password, then a recovery code as the second
                    step), GET /cases/ and GET /cases/<pk>/.
"""

import os
import random
import re
import uuid

from locust import HttpUser, between, task
from stdnum.jp import cn

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-password-1")
CONCIERGE = os.environ.get("LOAD_CONCIERGE", "demo-concierge")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_INPUT = re.compile(r'name="submission_token" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/(\d+)/"')
# Single-use recovery codes for the concierge's second step, one per simulated sign-in.
RECOVERY_CODES = iter(os.environ.get("LOAD_RECOVERY_CODES", "").split(","))


def corporate_number() -> str:
    """A random corporate number with a valid check digit (so every firm is a new one)."""
    body = "".join(random.choices("0123456789", k=12))  # noqa: S311 (test data, not crypto)
    return cn.calc_check_digit(body) + body


def registration_data(csrf: str, submission_token: str) -> dict:
    """The fields of registrations/tests/test_views.py `form_data()`, unique per submission;
    the honeypot (fax_number) is left empty as a person would."""
    n = uuid.uuid4().hex[:10]
    email = f"load-{n}@example.jp"
    return {
        "csrfmiddlewaretoken": csrf,
        "entity_type": "corporation",
        "corporate_number": corporate_number(),
        "name": f"株式会社負荷試験{n}",
        "name_kana": "ふかしけん",
        "representative": "山田 太郎",
        "postal_code": "100-0013",
        "prefecture": "13",
        "address": "千代田区霞が関1-3-1",
        "industry_option": "E",
        "capital_yen": "10000000",
        "employees": "12",
        "contact_name": "山田 花子",
        "contact_name_kana": "ヤマダ ハナコ",
        "email": email,
        "email_confirm": email,
        "phone": "03-1234-5678",
        "challenge_type": "first_export",
        "situations": ["market_research"],
        "products": "日本酒",
        "destinations": ["US", "TW"],
        "export_experience": "none",
        "referral_source": "web",
        "consent_privacy": "on",
        "consent_sharing": "on",
        "submission_token": submission_token,
        "fax_number": "",
    }


# Seconds a simulated person waits between requests: "1,3" for people reading pages, "0,0" to
# saturate the server (bin/load runs both).
THINK = tuple(float(s) for s in os.environ.get("LOAD_THINK", "0,0").split(","))


class Browser(HttpUser):
    abstract = True
    wait_time = between(*THINK)

    def on_start(self):
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.client.headers["Origin"] = self.host.replace("http://", "https://").rstrip("/")

    def _cookies(self) -> dict:
        jar = "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)
        return {"Cookie": jar} if jar else {}

    def get(self, path, name=None, expect=200):
        with self.client.get(
            path, name=name or path, headers=self._cookies(), allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect}")
            return response

    def post(self, path, data, name=None, expect=302):
        headers = {**self._cookies(), "Referer": self.client.headers["Origin"] + path}
        with self.client.post(
            path, data=data, name=name or path, headers=headers, allow_redirects=False,
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != expect:
                response.failure(f"{response.status_code} instead of {expect}")
            return response


class HealthUser(Browser):
    @task
    def health(self):
        self.get("/healthz/")


class RegisterPageUser(Browser):
    @task
    def register_page(self):
        self.get("/register/")


class Registrant(Browser):
    weight = 1

    @task(3)
    def register_page(self):
        self.get("/register/")

    @task(1)
    def register(self):
        page = self.get("/register/")
        csrf, token = CSRF_INPUT.search(page.text or ""), TOKEN_INPUT.search(page.text or "")
        if not (csrf and token):
            return
        self.post("/register/", registration_data(csrf[1], token[1]), name="/register/")


class Concierge(Browser):
    weight = 1

    def on_start(self):
        super().on_start()
        self.case_ids = []
        page = self.get("/accounts/login/")
        csrf = CSRF_INPUT.search(page.text or "")
        data = {"username": CONCIERGE, "password": PASSWORD}
        self.post("/accounts/login/", {**data, "csrfmiddlewaretoken": csrf[1] if csrf else ""},
                  name="/accounts/login/")  # fmt: skip
        # The second step, with one of the recovery codes bin/load made for this run.
        page = self.get("/accounts/two-factor/")
        csrf = CSRF_INPUT.search(page.text or "")
        self.post("/accounts/two-factor/",
                  {"token": next(RECOVERY_CODES), "next": "/",
                   "csrfmiddlewaretoken": csrf[1] if csrf else ""},
                  name="/accounts/two-factor/")  # fmt: skip

    @task(1)
    def case_list(self):
        response = self.get("/cases/")
        self.case_ids = CASE_LINK.findall(response.text or "") or self.case_ids

    @task(2)
    def case_page(self):
        if not self.case_ids:
            self.case_list()
        if self.case_ids:
            self.get(f"/cases/{random.choice(self.case_ids)}/", name="/cases/<pk>/")  # noqa: S311
