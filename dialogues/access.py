"""Who may see and register dialogues: the roles of ``municipalities.permissions``, applied to the dialogue's
municipality (a membership of the municipality, or of a police area that covers it)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from municipalities.models import Membership
from municipalities.permissions import ROLES_FOR_ACTION, VIEW_ROLES


def roles_for_municipality(user, municipality) -> frozenset:
    """The user's roles in this municipality (one query; none for anonymous users)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return VIEW_ROLES
    roles = Membership.objects.filter(
        Q(municipality=municipality) | Q(police_area__municipalities=municipality), user=user
    ).values_list("role", flat=True)
    return frozenset(roles.distinct())


def check_municipality(user, action, municipality):
    """404 when the user does not work in the municipality, 403 without the role the action needs."""
    roles = roles_for_municipality(user, municipality)
    if not roles:
        raise Http404
    if not roles & ROLES_FOR_ACTION[action]:
        raise PermissionDenied
    return roles
