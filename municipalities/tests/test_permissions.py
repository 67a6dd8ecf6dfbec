import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from municipalities.models import Membership, PoliceArea
from municipalities.permissions import Action, can, check, municipalities_for_user, pledges_for_user
from municipalities.tests.factories import UserFactory, municipality
from pledges.models import Pledge
from pledges.tests.factories import PledgeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def norsjo_pledge():
    pledge = PledgeFactory()
    pledge.municipalities.add(municipality("2417"))
    return pledge


def member(role, code=None, police_area=None):
    user = UserFactory()
    if police_area:
        Membership.objects.create(user=user, role=role, police_area=PoliceArea.objects.get(name=police_area))
    else:
        Membership.objects.create(user=user, role=role, municipality=municipality(code))
    return user


@pytest.mark.parametrize(
    ("role", "view", "edit", "sign"),
    [
        ("kommunpolis", True, True, False),
        ("samordnare", True, True, False),
        ("kommunchef", True, True, True),
        ("lokalpolisomradeschef", True, True, True),
        ("lasare", True, False, False),
    ],
)
def test_roles_in_the_pledges_municipality(norsjo_pledge, role, view, edit, sign):
    user = member(role, "2417")
    assert (can(user, Action.VIEW, norsjo_pledge), can(user, Action.EDIT, norsjo_pledge)) == (view, edit)
    assert can(user, Action.LOG, norsjo_pledge) == edit
    assert can(user, Action.SIGN, norsjo_pledge) == sign


def test_a_user_of_tanum_reaches_nothing_of_norsjo(norsjo_pledge):
    tanum_chief = member("kommunchef", "1435")
    for action in (Action.VIEW, Action.EDIT, Action.LOG, Action.SIGN):
        assert not can(tanum_chief, action, norsjo_pledge)
        with pytest.raises(Http404):
            check(tanum_chief, action, norsjo_pledge)
    assert not pledges_for_user(Pledge.objects.all(), tanum_chief).exists()


def test_a_reader_gets_403_for_what_needs_more(norsjo_pledge):
    reader = member("lasare", "2417")
    check(reader, Action.VIEW, norsjo_pledge)
    with pytest.raises(PermissionDenied):
        check(reader, Action.EDIT, norsjo_pledge)


def test_a_police_area_membership_reaches_the_municipalities_it_covers(norsjo_pledge):
    chief = member("lokalpolisomradeschef", police_area="Skellefteå")
    assert can(chief, Action.SIGN, norsjo_pledge)
    assert set(municipalities_for_user(chief).values_list("name", flat=True)) == {"Norsjö", "Malå", "Skellefteå"}
    assert list(pledges_for_user(Pledge.objects.all(), chief)) == [norsjo_pledge]
    other_area = member("lokalpolisomradeschef", police_area="Västra Fyrbodal")
    assert not can(other_area, Action.VIEW, norsjo_pledge)


def test_anonymous_and_inactive_users_reach_nothing(norsjo_pledge):
    from django.contrib.auth.models import AnonymousUser

    assert not can(AnonymousUser(), Action.VIEW, norsjo_pledge)
    user = member("kommunchef", "2417")
    user.is_active = False
    assert not can(user, Action.VIEW, norsjo_pledge)


def test_a_superuser_reaches_everything(norsjo_pledge):
    admin = UserFactory(is_superuser=True)
    assert can(admin, Action.SIGN, norsjo_pledge)
    assert pledges_for_user(Pledge.objects.all(), admin).count() == Pledge.objects.count()
