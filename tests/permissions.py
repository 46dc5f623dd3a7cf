"""What each role may see, defined once and parametrised over in tests."""

from core.roles import Role

ALL_ROLES = list(Role)
# Roles that see a business in 東京都 referred by 東京商工会議所, and its Tokyo office.
SEES_TOKYO_REFERRED_BUSINESS = {
    Role.PARTNER, Role.CONCIERGE, Role.OFFICE_LEAD, Role.MINISTRY, Role.ADMIN,
}  # fmt: skip
# Roles that see a business in 大阪府 with no referral.
SEES_OSAKA_BUSINESS = {Role.MINISTRY, Role.ADMIN}
# A 東京商工会議所 referral the firm has not yet confirmed: the partner and admins only.
SEES_AWAITING_CONSENT_REFERRAL = {Role.PARTNER, Role.ADMIN}

# The heading (English msgid) of each role's landing page.
LANDING_HEADINGS = {
    Role.BUSINESS: "My registration",
    Role.PARTNER: "Referred businesses",
    Role.CONCIERGE: "Concierge workspace",
    Role.OFFICE_LEAD: "Office lead workspace",
    Role.MINISTRY: "Program overview",
    Role.ADMIN: "Program administration",
}
