import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database holds the reference data (290 municipalities, regions, police areas),
    as every real installation does. Tests roll back their own writes on top of it."""
    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
