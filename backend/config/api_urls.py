from django.urls import include, path
from rest_framework.routers import DefaultRouter

from backend.accounts.api import (
    MeView,
    OrganizationMeView,
    OrganizationVerifyView,
    PasswordResetConfirmView,
    PasswordResetView,
    SignupView,
    TokenView,
    VerifyEmailView,
)
from backend.matches.api import (
    ChallengeApplyView,
    ChallengeMatchesView,
    ChallengeMatchingRetryView,
    ChallengeResponseTimeView,
    ChallengeSearchView,
    MatchViewSet,
    ProfileMatchingRetryView,
    StartupSearchView,
)
from backend.pilots.api import OutcomeViewSet, PilotViewSet
from backend.programs.api import AcceleratorViewSet, ChallengeViewSet, CohortViewSet
from backend.reports.api import DistrictReportView, NumbersView
from backend.reviews.api import (
    ChallengeReviewsView,
    MyReviewView,
    NotesView,
    ReviewersView,
    ReviewerView,
    ReviewsView,
    RubricView,
)
from backend.startups.api import (
    CredentialsView,
    CredentialVerifyView,
    CredentialView,
    RosterView,
    StartupProfileViewSet,
)

router = DefaultRouter()
router.register("accelerators", AcceleratorViewSet, basename="accelerator")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register("startups", StartupProfileViewSet, basename="startup")
router.register("matches", MatchViewSet, basename="match")
router.register("pilots", PilotViewSet, basename="pilot")
router.register("outcomes", OutcomeViewSet, basename="outcome")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/signup/", SignupView.as_view(), name="auth-signup"),
    path("auth/verify-email/", VerifyEmailView.as_view(), name="auth-verify-email"),
    path("auth/password-reset/", PasswordResetView.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        PasswordResetConfirmView.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("me/", MeView.as_view(), name="me"),
    path("organizations/me/", OrganizationMeView.as_view(), name="organization-me"),
    path(
        "organizations/<int:pk>/verify/",
        OrganizationVerifyView.as_view(),
        name="organization-verify",
    ),
    path("startups/me/credentials/", CredentialsView.as_view(), name="credentials"),
    path("startups/me/credentials/<int:pk>/", CredentialView.as_view(), name="credential"),
    path("credentials/<int:pk>/verify/", CredentialVerifyView.as_view(), name="credential-verify"),
    path("rosters/", RosterView.as_view(), name="rosters"),
    path("challenges/<int:pk>/matches/", ChallengeMatchesView.as_view(), name="challenge-matches"),
    path("challenges/<int:pk>/apply/", ChallengeApplyView.as_view(), name="challenge-apply"),
    path(
        "challenges/<int:pk>/response-time/",
        ChallengeResponseTimeView.as_view(),
        name="challenge-response-time",
    ),
    path(
        "challenges/<int:pk>/matching/retry/",
        ChallengeMatchingRetryView.as_view(),
        name="challenge-matching-retry",
    ),
    path(
        "startups/me/matching/retry/",
        ProfileMatchingRetryView.as_view(),
        name="profile-matching-retry",
    ),
    path("challenges/<int:pk>/rubric/", RubricView.as_view(), name="challenge-rubric"),
    path("challenges/<int:pk>/reviews/", ChallengeReviewsView.as_view(), name="challenge-reviews"),
    path("matches/<int:pk>/reviews/", ReviewsView.as_view(), name="match-reviews"),
    path("matches/<int:pk>/reviews/mine/", MyReviewView.as_view(), name="match-review-mine"),
    path("matches/<int:pk>/reviewers/", ReviewersView.as_view(), name="match-reviewers"),
    path(
        "matches/<int:pk>/reviewers/<int:user_id>/",
        ReviewerView.as_view(),
        name="match-reviewer",
    ),
    path("matches/<int:pk>/notes/", NotesView.as_view(), name="match-notes"),
    path("search/challenges/", ChallengeSearchView.as_view(), name="search-challenges"),
    path("search/startups/", StartupSearchView.as_view(), name="search-startups"),
    path("reports/numbers/", NumbersView.as_view(), name="report-numbers"),
    path("reports/district.xlsx", DistrictReportView.as_view(), name="report-district"),
    path("", include("backend.chat.urls")),
    path("", include("backend.notifications.urls")),
    *router.urls,
]
