"""Demo sign-ins, one or more per role, for `make run`, the browser tests and benchmarks."""

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from core.models import Organisation, User
from core.roles import Role


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    last_name: str
    first_name: str
    organisation: str | None
    is_staff: bool = False


DEMO_LOGINS = (
    DemoLogin(Role.BUSINESS, "demo-business", "山田", "花子", None),
    DemoLogin(Role.PARTNER, "demo-partner", "佐藤", "健", "chamber-tokyo"),
    DemoLogin(Role.CONCIERGE, "demo-concierge", "鈴木", "一郎", "jetro-tokyo"),
    DemoLogin(Role.CONCIERGE, "demo-concierge-osaka", "高橋", "美咲", "jetro-osaka"),
    DemoLogin(Role.OFFICE_LEAD, "demo-lead", "田中", "誠", "jetro-tokyo"),
    DemoLogin(Role.MINISTRY, "demo-ministry", "伊藤", "直子", "meti-sme-agency"),
    DemoLogin(Role.ADMIN, "demo-admin", "渡辺", "剛", "jetro-hq", is_staff=True),
)


def demo_users_ensure(*, password: str) -> list[tuple[DemoLogin, User]]:
    """Create or reset every demo login with the given password; return them in order."""
    password_hash = make_password(password)  # hashed once: PBKDF2 is deliberately slow
    organisations = dict(Organisation.objects.values_list("code", "pk"))
    groups = {group.name: group for group in Group.objects.filter(name__in=list(Role))}
    result = []
    for login in DEMO_LOGINS:
        user, _created = User.objects.update_or_create(
            username=login.username,
            defaults={
                "password": password_hash,
                "last_name": login.last_name,
                "first_name": login.first_name,
                "email": f"{login.username}@example.jp",
                "organisation_id": organisations.get(login.organisation),
                "is_staff": login.is_staff,
                "is_active": True,
            },
        )
        user.groups.set([groups[login.role]])
        result.append((login, user))
    return result


def demo_office_addresses_ensure() -> int:
    """Give the JETRO offices that have no e-mail address a demo one (example.jp, a domain
    reserved for examples), so the demo's proposal and survey mails show the office and reply
    to it. Real addresses are entered in the admin; a phone number is never invented."""
    offices = Organisation.objects.filter(kind=Organisation.Kind.JETRO_OFFICE, email="")
    count = 0
    for office in offices:
        office.email = f"{office.code}@example.jp"
        office.save(update_fields=["email"])
        count += 1
    return count
