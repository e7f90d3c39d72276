from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api import LogoutApi, MyTokenApi, MyTokensApi, RegisterApi, TokenApi
from crowdfund.api import HealthApi, MeApi
from investors.kyc.api import KycReviewApi, MyKycApi, MyRiskAcknowledgementApi, MySuitabilityApi, QuestionnaireApi
from investors.subscriptions.api import (
    MyHoldingsApi,
    MySubscriptionsApi,
    OfferingCloseApi,
    StripeWebhookApi,
    SubscriptionViewSet,
)
from projects.api import IssuerViewSet, MyCommitmentViewSet, OfferingViewSet, QuestionViewSet
from risk.api import CaseViewSet

router = DefaultRouter()
router.register("issuers", IssuerViewSet, basename="issuer")
router.register("offerings", OfferingViewSet, basename="offering")
router.register("questions", QuestionViewSet, basename="question")
router.register("me/commitments", MyCommitmentViewSet, basename="my-commitment")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("risk/cases", CaseViewSet, basename="risk-case")

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="register"),
    path("auth/token/", TokenApi.as_view(), name="token"),
    path("auth/logout/", LogoutApi.as_view(), name="logout"),
    path("health/", HealthApi.as_view(), name="health"),
    path("me/", MeApi.as_view(), name="me"),
    path("me/tokens/", MyTokensApi.as_view(), name="my-tokens"),
    path("me/tokens/<int:pk>/", MyTokenApi.as_view(), name="my-token"),
    path("me/kyc/", MyKycApi.as_view(), name="my-kyc"),
    path("me/suitability/", MySuitabilityApi.as_view(), name="my-suitability"),
    path("me/risk-acknowledgement/", MyRiskAcknowledgementApi.as_view(), name="my-risk-acknowledgement"),
    path("suitability/questionnaire/", QuestionnaireApi.as_view(), name="questionnaire"),
    path("kyc/<int:user_id>/approve/", KycReviewApi.as_view(approve=True), name="kyc-approve"),
    path("kyc/<int:user_id>/reject/", KycReviewApi.as_view(approve=False), name="kyc-reject"),
    path("me/subscriptions/", MySubscriptionsApi.as_view(), name="my-subscriptions"),
    path("me/holdings/", MyHoldingsApi.as_view(), name="my-holdings"),
    path("offerings/<int:offering_id>/close/", OfferingCloseApi.as_view(), name="offering-close"),
    path("payments/stripe/webhook/", StripeWebhookApi.as_view(), name="stripe-webhook"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file of its own, so the page needs no inline script.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
    path("", include(router.urls)),
]
