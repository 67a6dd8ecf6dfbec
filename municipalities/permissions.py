"""Who may do what, derived from memberships. Every staff view asks here; nothing is decided by
hiding a button.

A membership of a municipality reaches the pledges of that municipality; a membership of a local
police area reaches the pledges of that police area and of the municipalities it covers.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404

from .models import Membership, Municipality

Role = Membership.Role

# Kommunpolis and samordnare draft, edit, register dialogues and log activities;
# the chiefs do all that and also approve, sign and publish; läsare only read.
EDIT_ROLES = frozenset({Role.COMMUNITY_POLICE, Role.COORDINATOR, Role.MUNICIPAL_CHIEF, Role.POLICE_AREA_CHIEF})
SIGN_ROLES = frozenset({Role.MUNICIPAL_CHIEF, Role.POLICE_AREA_CHIEF})
VIEW_ROLES = frozenset(Role.values)


class Action:
    VIEW = "view"
    EDIT = "edit"
    LOG = "log"
    SIGN = "sign"


ROLES_FOR_ACTION = {Action.VIEW: VIEW_ROLES, Action.EDIT: EDIT_ROLES, Action.LOG: EDIT_ROLES, Action.SIGN: SIGN_ROLES}


def _memberships_reaching(pledge):
    return (
        Q(municipality__in=pledge.municipalities.all())
        | Q(police_area__in=pledge.police_areas.all())
        | Q(police_area__municipalities__in=pledge.municipalities.all())
    )


def roles_for_pledge(user, pledge) -> frozenset:
    """The user's roles that reach this pledge (one query; none for anonymous users)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return VIEW_ROLES
    roles = Membership.objects.filter(_memberships_reaching(pledge), user=user).values_list("role", flat=True)
    return frozenset(roles.distinct())


def can(user, action, pledge) -> bool:
    return bool(roles_for_pledge(user, pledge) & ROLES_FOR_ACTION[action])


def check(user, action, pledge):
    """404 for a user the pledge does not reach at all (its existence is not revealed),
    403 for one it reaches without the role the action needs."""
    roles = roles_for_pledge(user, pledge)
    if not roles:
        raise Http404
    if not roles & ROLES_FOR_ACTION[action]:
        raise PermissionDenied


def municipalities_for_user(user, roles=None):
    """The municipalities the user works in, directly or through a police area; with ``roles``, only
    those where the user holds one of them (e.g. EDIT_ROLES for where they may create a pledge)."""
    if user.is_superuser:
        return Municipality.objects.all()
    memberships = Membership.objects.filter(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return Municipality.objects.filter(
        Q(pk__in=memberships.values("municipality")) | Q(police_areas__in=memberships.values("police_area"))
    ).distinct()


def pledges_for_user(queryset, user):
    """Narrow a pledge queryset to the pledges the user's memberships reach."""
    if user.is_superuser:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    memberships = Membership.objects.filter(user=user)
    return queryset.filter(
        Q(municipalities__in=memberships.values("municipality"))
        | Q(police_areas__in=memberships.values("police_area"))
        | Q(municipalities__police_areas__in=memberships.values("police_area"))
    ).distinct()
