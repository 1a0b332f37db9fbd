from __future__ import annotations

import pytest

from tests.servers import seeded_server


@pytest.fixture(scope="session")
def platform(tmp_path_factory):
    """The platform under uvicorn with two tenants of each kind (`fuzz_seed`): the server and
    each tenant's API token."""
    with seeded_server(tmp_path_factory.mktemp("platform"), "tests.api.fuzz_seed") as running:
        yield running
