import pytest

from backend.matches import engine


@pytest.fixture(autouse=True)
def fresh_search_spaces():
    """Each test's database starts empty, so each test starts with fresh in-memory spaces."""
    engine.registry.reset()
    yield
    engine.registry.reset()
