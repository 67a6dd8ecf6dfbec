import pytest

from pledges.public_cache import public_cache_clear


@pytest.fixture(autouse=True)
def _empty_public_cache():
    """Public pages are cached per data version; a rolled-back test sends no signal, so start empty."""
    public_cache_clear()
    yield
    public_cache_clear()
