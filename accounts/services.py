"""Writes for accounts."""

from django.db import transaction

from municipalities.models import Membership, Municipality, PoliceArea

from .models import User

# Demo accounts: one per role, for Norsjö (and its police area). Created only by `load_demo`;
# the README lists them. Never load the demo data into a production database.
DEMO_PASSWORD = "demo-medborgarlofte-2026"
DEMO_MUNICIPALITY_CODE = "2417"
DEMO_POLICE_AREA = "Skellefteå"
DEMO_USERS = [
    # username, first name, last name, role, scope
    ("kommunpolis", "Kim", "Kommunpolis", Membership.Role.COMMUNITY_POLICE, "municipality"),
    ("lpochef", "Lo", "Lokalpolisområdeschef", Membership.Role.POLICE_AREA_CHIEF, "police_area"),
    ("kommunchef", "Kai", "Kommunchef", Membership.Role.MUNICIPAL_CHIEF, "municipality"),
    ("samordnare", "Sam", "Samordnare", Membership.Role.COORDINATOR, "municipality"),
    ("lasare", "Lee", "Läsare", Membership.Role.READER, "municipality"),
]
DEMO_SUPERUSER = "admin"


@transaction.atomic
def demo_users_create() -> list[User]:
    """Create (or reset) the demo accounts and their memberships. Idempotent."""
    municipality = Municipality.objects.get(code=DEMO_MUNICIPALITY_CODE)
    police_area = PoliceArea.objects.get(name=DEMO_POLICE_AREA)
    users = []
    for username, first_name, last_name, role, scope in DEMO_USERS:
        user = _demo_user(username, first_name, last_name)
        scope_values = {"municipality": municipality} if scope == "municipality" else {"police_area": police_area}
        Membership.objects.get_or_create(user=user, role=role, **scope_values)
        users.append(user)
    admin = _demo_user(DEMO_SUPERUSER, "Ada", "Administratör", is_staff=True, is_superuser=True)
    users.append(admin)
    return users


def _demo_user(username, first_name, last_name, **flags):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first_name, "last_name": last_name, "email": f"{username}@example.invalid", **flags},
    )
    if created or not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user
