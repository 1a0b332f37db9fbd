from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from backend.accounts.models import Organization, User
from tests.factories import (
    AcceleratorFactory,
    ChallengeFactory,
    OrganizationFactory,
    StartupProfileFactory,
    member_of,
)
from tests.mail import Inbox, smtp_server


def pytest_configure(config) -> None:
    # Tests create many users; the production hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    """Two firms, two startups and an operator, each with one user; the usual cast of a test."""

    enterprise: Organization
    enterprise_user: User
    other_enterprise: Organization
    other_enterprise_user: User
    startup: Organization
    startup_user: User
    other_startup: Organization
    other_startup_user: User
    operator: Organization
    operator_user: User

    def user(self, role: str) -> User | None:
        return None if role == "anonymous" else getattr(self, f"{role}_user")


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language: the services' messages are translated when
    read, so a language one test left active would change what another reads."""
    with translation.override(None):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    """Sign-in throttles count in the cache, rate limits beside it (in Redis, in the same
    database); each test starts with none spent."""
    from django.core.cache import cache

    from backend.common.ratelimit import reset_counts

    cache.clear()
    reset_counts()


@pytest.fixture(autouse=True)
def index_snapshots_in_tmp(settings, tmp_path):
    """Index snapshots belong to one database; each test gets its own folder."""
    settings.MATCHING_INDEX_DIR = tmp_path / "index"


@pytest.fixture
def world(db) -> World:
    orgs = {
        "enterprise": OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name="Acme Chips"),
        "other_enterprise": OrganizationFactory(kind=Organization.Kind.ENTERPRISE, name="Beta"),
        "startup": OrganizationFactory(kind=Organization.Kind.STARTUP, name="TinyML Labs"),
        "other_startup": OrganizationFactory(kind=Organization.Kind.STARTUP, name="Other Labs"),
        "operator": OrganizationFactory(kind=Organization.Kind.OPERATOR, name="Operations"),
    }
    users = {f"{key}_user": member_of(org) for key, org in orgs.items()}
    return World(**orgs, **users)


@pytest.fixture
def client_for():
    """An API client signed in as the given user (or anonymous for None)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def accelerator(world):
    return AcceleratorFactory(enterprise=world.enterprise)


@pytest.fixture
def challenge(accelerator):
    return ChallengeFactory(accelerator=accelerator)


@pytest.fixture
def profile(world):
    return StartupProfileFactory(organization=world.startup, name="TinyML Labs")


@pytest.fixture
def plain_static_files(settings):
    """The pages link static files, which have no hashed manifest without `collectstatic`."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def smtp(settings) -> Inbox:
    """A real SMTP server that the platform's mail goes to, configured as EMAIL_URL would."""
    import environ

    with smtp_server() as (inbox, email_url):
        for name, value in environ.Env.email_url_config(email_url).items():
            setattr(settings, name, value)
        yield inbox
