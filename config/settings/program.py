"""The program's own rules: deadlines, survey waves, retention and the dates that make sense.
These change when the ministry changes the program, not when the deployment changes; the
infrastructure settings are in base.py. Each may still be set from the environment."""

from datetime import date

import environ
from django.utils.translation import gettext_lazy as _

env = environ.Env()

PROGRAM_NAME = _("New Export 10,000 Companies Support Program")
# The program began on 16 December 2022 (seed 000); progress periods start no earlier.
PROGRAM_START_DATE = date(2022, 12, 16)
# Dates typed into records (sessions, targets, proposals, survey answers, imports) are refused
# before 1 January of this year: nothing of the program, or of a firm's exports it asks about,
# happened earlier (core.validators, ADR 0013).
PROGRAM_START_YEAR = env.int("PROGRAM_START_YEAR", default=2020)
# The privacy notice a firm accepts, and how long a partner's referral waits for the firm's
# consent.
PRIVACY_NOTICE_VERSION = env("PRIVACY_NOTICE_VERSION", default="2026-04")
REFERRAL_CONSENT_DAYS = env.int("REFERRAL_CONSENT_DAYS", default=30)
# Counselling: first contact within N business days (Japanese holidays excluded); an export
# target before a case moves to 輸出挑戦 (seed 001's first recommendation).
FIRST_CONTACT_SLA_BUSINESS_DAYS = env.int("FIRST_CONTACT_SLA_BUSINESS_DAYS", default=5)
TARGET_REQUIRED_FOR_CHALLENGE = env.bool("TARGET_REQUIRED_FOR_CHALLENGE", default=True)
# The catalogue: a support menu whose facts nobody confirmed for this many months is flagged
# to administrators (its "confirmed on" date, SupportMenu.confirmed_on).
MENU_CONFIRMATION_MONTHS = env.int("MENU_CONFIRMATION_MONTHS", default=12)
# Follow-up surveys (seed 001: follow up after support ends): waves in months after a case's
# first proposal, how long a link stays open, and reminders in days after the link.
SURVEY_WAVES_MONTHS = env.list("SURVEY_WAVES_MONTHS", cast=int, default=[6, 12, 24, 36])
SURVEY_OPEN_DAYS = env.int("SURVEY_OPEN_DAYS", default=60)
SURVEY_REMINDER_DAYS = (7, 14)
# Retention (個人情報の保有期間): firms whose cases all ended this many years ago are
# anonymised by a daily task, but only when RETENTION_APPLY is on; until then the task only
# reports what it would do (a dry run), as does `manage.py retention --dry-run`.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)
RETENTION_APPLY = env.bool("RETENTION_APPLY", default=False)
