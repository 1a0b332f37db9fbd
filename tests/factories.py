from __future__ import annotations

import factory
from django.utils import timezone

from backend.accounts.models import Membership, Organization, User
from backend.programs.models import Accelerator, Challenge, Cohort, CohortMembership
from backend.startups.models import StartupProfile

PASSWORD = "a-long-test-password"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organization.Kind.ENTERPRISE


def member_of(organization: Organization, role: str = Membership.Role.OWNER) -> User:
    user = UserFactory()
    Membership.objects.create(user=user, organization=organization, role=role)
    return user


class AcceleratorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Accelerator

    enterprise = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.ENTERPRISE)
    name = factory.Sequence(lambda n: f"Accelerator {n}")
    industry_focus = "Integrated circuits"
    description = "An open-innovation programme around the chip supply chain."


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge

    accelerator = factory.SubFactory(AcceleratorFactory)
    title = factory.Sequence(lambda n: f"Challenge {n}: low-power edge inference")
    problem_statement = "We need low-power neural network inference on edge devices."
    desired_outcomes = "A prototype running on our sensor boards."
    required_capabilities = factory.LazyFunction(lambda: ["Embedded machine learning"])
    industry_tags = factory.LazyFunction(lambda: ["semiconductors"])
    status = Challenge.Status.OPEN
    published_at = factory.LazyFunction(timezone.now)


class StartupProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StartupProfile

    organization = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.STARTUP)
    name = factory.SelfAttribute("organization.name")
    pitch = "Tiny models for tiny chips."
    summary = "We compress neural networks to run on microcontrollers."
    capabilities = factory.LazyFunction(lambda: ["Model quantisation for microcontrollers"])
    technology_tags = factory.LazyFunction(lambda: ["tinyml"])
    stage = StartupProfile.Stage.SEED
    region = "Shanghai"
    trl = 5
    published = True


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    accelerator = factory.SubFactory(AcceleratorFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    capacity = 2


class CohortMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortMembership

    cohort = factory.SubFactory(CohortFactory)
    startup = factory.SubFactory(OrganizationFactory, kind=Organization.Kind.STARTUP)
    status = CohortMembership.Status.SHORTLISTED


def index_documents(*rows) -> None:
    """Log a change for each challenge or profile, as its service would, and run the indexer
    over the log (the server's background indexer does the same after each commit)."""
    from backend.common.models import DocumentKind
    from backend.matches.indexing import changes_record_for, drain

    for row in rows:
        kind = DocumentKind.CHALLENGE if isinstance(row, Challenge) else DocumentKind.STARTUP
        changes_record_for(kind, [row.pk])
    drain()
