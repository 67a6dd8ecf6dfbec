import factory

from accounts.models import User
from municipalities.models import Membership, Municipality, Organisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery")


def municipality(code):
    """Municipalities are reference data, present in every test database."""
    return Municipality.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name", "municipality"]

    name = "Polisen"
    kind = Organisation.Kind.POLICE
    municipality = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.LazyFunction(lambda: municipality("2417"))
    role = Membership.Role.COORDINATOR
