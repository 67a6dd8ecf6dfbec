import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_public_cache():
    """Public pages are cached per data version; a rolled-back test sends no signal, so start empty."""
    cache.clear()
    yield
    cache.clear()
