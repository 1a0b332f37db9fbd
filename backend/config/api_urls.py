from django.urls import path
from rest_framework.routers import DefaultRouter

from backend.accounts.api import MeView, SignupView, TokenView
from backend.programs.api import AcceleratorViewSet, ChallengeViewSet, CohortViewSet
from backend.startups.api import StartupProfileViewSet

router = DefaultRouter()
router.register("accelerators", AcceleratorViewSet, basename="accelerator")
router.register("challenges", ChallengeViewSet, basename="challenge")
router.register("cohorts", CohortViewSet, basename="cohort")
router.register("startups", StartupProfileViewSet, basename="startup")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="auth-token"),
    path("auth/signup/", SignupView.as_view(), name="auth-signup"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
