"""The pages, mounted at the site root."""

from django.urls import include, path

from backend.web.views import (
    accounts,
    chat,
    cohorts,
    firm,
    matches,
    operator,
    pilots,
    registry,
    reports,
    reviews,
    startup,
    startup_profile,
)

app_name = "web"

urlpatterns = [
    path("", accounts.home, name="home"),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", accounts.LogoutView.as_view(), name="logout"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/sent/", accounts.signup_sent, name="signup-sent"),
    path("accounts/verify/<uidb64>/<token>/", accounts.verify_email, name="verify-email"),
    path("accounts/password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path(
        "accounts/password-reset/sent/",
        accounts.PasswordResetDoneView.as_view(),
        name="password-reset-done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "accounts/password-reset/done/",
        accounts.PasswordResetCompleteView.as_view(),
        name="password-reset-complete",
    ),
    path("accounts/claim/<uidb64>/<token>/", registry.ClaimView.as_view(), name="claim"),
    path("settings/mail/", accounts.notification_settings, name="notification-settings"),
    path("settings/organisation/", registry.organization_settings, name="organization-settings"),
    # Ahead of Django's own switch: it also remembers a signed-in user's language for mail.
    path("i18n/setlang/", accounts.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # a firm's programmes and challenges
    path("accelerators/new/", firm.accelerator_create, name="accelerator-create"),
    path("accelerators/<int:pk>/edit/", firm.accelerator_edit, name="accelerator-edit"),
    path("challenges/", startup.challenge_search, name="challenge-search"),
    path("challenges/new/", firm.challenge_create, name="challenge-create"),
    path("challenges/<int:pk>/", firm.challenge_detail, name="challenge-detail"),
    path("challenges/<int:pk>/edit/", firm.challenge_edit, name="challenge-edit"),
    path("challenges/<int:pk>/publish/", firm.challenge_publish, name="challenge-publish"),
    path("challenges/<int:pk>/close/", firm.challenge_close, name="challenge-close"),
    path("challenges/<int:pk>/matches/", matches.challenge_matches, name="challenge-matches"),
    # matches, from either side
    path("matches/<int:pk>/card/", matches.match_card, name="match-card"),
    path("matching/<str:side>/<int:pk>/retry/", matches.matching_retry, name="matching-retry"),
    path("matches/<int:pk>/interest/", matches.match_interest, name="match-interest"),
    path("matches/<int:pk>/decline/", matches.match_decline, name="match-decline"),
    path("matches/<int:pk>/undecline/", matches.match_undecline, name="match-undecline"),
    path("matches/<int:pk>/shortlist/", matches.match_shortlist, name="match-shortlist"),
    path(
        "matches/<int:pk>/documents/<int:document_pk>/",
        matches.match_document,
        name="match-document",
    ),
    path("challenges/<int:pk>/apply/", startup.challenge_apply, name="challenge-apply"),
    # a connected match's pilots and outcomes
    path("matches/<int:pk>/pilots/", pilots.match_pilots, name="match-pilots"),
    path("matches/<int:pk>/pilots/propose/", pilots.pilot_propose, name="pilot-propose"),
    path("pilots/<int:pk>/accept/", pilots.pilot_accept, name="pilot-accept"),
    path("pilots/<int:pk>/withdraw/", pilots.pilot_withdraw, name="pilot-withdraw"),
    path("pilots/<int:pk>/decline/", pilots.pilot_decline, name="pilot-decline"),
    path(
        "pilots/<int:pk>/decision-owner/",
        pilots.pilot_decision_owner,
        name="pilot-decision-owner",
    ),
    path("pilots/<int:pk>/update/", pilots.pilot_update, name="pilot-update"),
    path("pilots/<int:pk>/decide/", pilots.pilot_decide, name="pilot-decide"),
    path("matches/<int:pk>/outcomes/", pilots.outcome_record, name="outcome-record"),
    path("outcomes/<int:pk>/confirm/", pilots.outcome_confirm, name="outcome-confirm"),
    path("outcomes/<int:pk>/document/", pilots.outcome_document, name="outcome-document"),
    # a firm's team review of a match, and the rubric it scores against
    path("challenges/<int:pk>/rubric/", reviews.challenge_rubric, name="challenge-rubric"),
    path("matches/<int:pk>/review/", reviews.match_review, name="match-review"),
    path("matches/<int:pk>/review/score/", reviews.review_score, name="review-score"),
    path("matches/<int:pk>/review/notes/", reviews.review_note, name="review-note"),
    path("matches/<int:pk>/review/reviewers/", reviews.review_assign, name="review-assign"),
    path(
        "matches/<int:pk>/review/reviewers/<int:user_id>/remove/",
        reviews.review_unassign,
        name="review-unassign",
    ),
    # a startup as firms and operators read it
    path("startups/<int:pk>/", startup_profile.startup_detail, name="startup-detail"),
    # a startup's own pages
    path("profile/", startup.profile_edit, name="profile"),
    path("profile/credentials/", registry.credential_add, name="credential-add"),
    path("profile/credentials/<int:pk>/", registry.credential_edit, name="credential-edit"),
    path(
        "profile/credentials/<int:pk>/remove/",
        registry.credential_remove,
        name="credential-remove",
    ),
    path("for-you/", startup.for_you, name="for-you"),
    path("invitations/", startup.invitations, name="invitations"),
    path("invitations/<int:pk>/answer/", startup.invitation_answer, name="invitation-answer"),
    # operators
    path("operator/", operator.overview, name="operator"),
    path("operator/rosters/", registry.roster_import, name="roster-import"),
    path(
        "operator/rosters/<int:pk>/resend/",
        registry.roster_invitation_resend,
        name="roster-invitation-resend",
    ),
    path("operator/numbers/", reports.numbers, name="operator-numbers"),
    path(
        "organisations/<int:pk>/verify/",
        registry.organization_verify_button,
        name="organization-verify",
    ),
    path(
        "credentials/<int:pk>/verify/", registry.credential_verify_button, name="credential-verify"
    ),
    path("accelerators/<int:pk>/cohorts/new/", cohorts.cohort_create, name="cohort-create"),
    path("cohorts/<int:pk>/", cohorts.board, name="cohort-board"),
    path("cohorts/<int:pk>/add/", cohorts.member_add, name="cohort-add"),
    path(
        "cohorts/<int:pk>/members/<int:member_pk>/move/",
        cohorts.member_move,
        name="cohort-move",
    ),
    path(
        "cohorts/<int:pk>/members/<int:member_pk>/note/",
        cohorts.member_note,
        name="cohort-note",
    ),
    path("cohorts/<int:pk>/export.csv", cohorts.export_csv, name="cohort-export"),
    # conversations, once a match is connected
    path("conversations/", chat.conversation_list, name="conversations"),
    path("conversations/<int:pk>/", chat.conversation_detail, name="conversation"),
    path(
        "conversations/<int:pk>/invite-operator/",
        chat.conversation_invite_operator,
        name="conversation-invite-operator",
    ),
]
