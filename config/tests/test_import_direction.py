"""The direction through the house: no app imports a higher one, no two modules import each other.

The graph is read from the source by scripts/import_graph.py (run it for the whole report). The apps are
not yet layered: the imports below break the direction today, and this test keeps that list from growing.
It fails for an upward import or a cycle that is not listed, and for a listed one that is gone, so that the
list only ever shrinks, to nothing."""

import importlib.util

from django.conf import settings

KNOWN_UPWARD_IMPORTS = {
    ("dialogues.forms", "pledges.documents"),
    ("followup.services", "accounts.models"),
    ("followup.views", "accounts.models"),
    ("municipalities.forms", "dialogues.models"),
    ("municipalities.selectors", "followup.progress"),
    ("municipalities.selectors", "followup.snapshots"),
    ("municipalities.selectors", "pledges.models"),
    ("municipalities.selectors", "pledges.public_selectors"),
    ("municipalities.views", "pledges.feeds"),
    ("municipalities.views", "pledges.public_cache"),
    ("municipalities.views", "pledges.views"),
    ("pledges.api.filters", "followup.models"),
    ("pledges.api.representation", "followup.progress"),
    ("pledges.api.representation", "followup.snapshots"),
    ("pledges.api.serializers", "followup.models"),
    ("pledges.api.serializers", "followup.progress"),
    ("pledges.api.views", "followup.models"),
    ("pledges.documents", "followup.progress"),
    ("pledges.feeds", "followup.models"),
    ("pledges.management.commands.load_demo", "accounts.services"),
    ("pledges.public_cache", "followup.models"),
    ("pledges.public_selectors", "followup.charts"),
    ("pledges.public_selectors", "followup.models"),
    ("pledges.public_selectors", "followup.snapshots"),
    ("pledges.scale", "accounts.models"),
    ("pledges.scale", "followup.models"),
    ("pledges.scale", "followup.progress"),
    ("pledges.selectors", "followup.models"),
    ("pledges.services", "accounts.models"),
    ("pledges.services", "followup.models"),
    ("pledges.services", "followup.snapshots"),
    ("pledges.staff_selectors", "followup.models"),
    ("pledges.staff_views", "accounts.models"),
    ("pledges.staff_views", "followup.selectors"),
    ("pledges.templatetags.public_tags", "followup.progress"),
    ("pledges.views", "followup.evaluation"),
    ("pledges.views", "followup.models"),
}
KNOWN_MODULE_CYCLES = [["followup.evaluation", "followup.tasks"]]
KNOWN_APP_CYCLES = [["accounts", "dialogues", "followup", "municipalities", "pledges"]]


def import_graph():
    spec = importlib.util.spec_from_file_location("import_graph", settings.BASE_DIR / "scripts" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_new_upward_import_and_none_listed_that_is_gone():
    graph = import_graph()
    _, edges = graph.graph()
    upward = graph.upward_imports(edges)
    assert sorted(upward - KNOWN_UPWARD_IMPORTS) == [], "a lower layer imports a higher one"
    assert sorted(KNOWN_UPWARD_IMPORTS - upward) == [], "fixed: take it off the list"


def test_no_new_import_cycle():
    graph = import_graph()
    _, edges = graph.graph()
    assert graph.cycles(edges) == KNOWN_MODULE_CYCLES
    assert graph.app_cycles(edges) == KNOWN_APP_CYCLES


def test_the_graph_sees_an_upward_import_and_a_cycle():
    graph = import_graph()
    edges = {"municipalities.models": {"pledges.models"}, "pledges.models": {"municipalities.models"}}
    assert graph.upward_imports(edges) == {("municipalities.models", "pledges.models")}
    assert graph.cycles(edges) == [["municipalities.models", "pledges.models"]]
