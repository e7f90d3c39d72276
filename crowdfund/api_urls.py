from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import RegisterApi, TokenApi
from crowdfund.api import HealthApi, MeApi
from investors.api import KycReviewApi, MyKycApi, MyRiskAcknowledgementApi, MySuitabilityApi, QuestionnaireApi
from investors.subscription_api import (
    MyHoldingsApi,
    MySubscriptionsApi,
    OfferingCloseApi,
    StripeWebhookApi,
    SubscriptionViewSet,
)
from projects.api import IssuerViewSet, OfferingViewSet
from risk.api import CaseViewSet

router = DefaultRouter()
router.register("issuers", IssuerViewSet, basename="issuer")
router.register("offerings", OfferingViewSet, basename="offering")
router.register("subscriptions", SubscriptionViewSet, basename="subscription")
router.register("risk/cases", CaseViewSet, basename="risk-case")

urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="register"),
    path("auth/token/", TokenApi.as_view(), name="token"),
    path("health/", HealthApi.as_view(), name="health"),
    path("me/", MeApi.as_view(), name="me"),
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
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("", include(router.urls)),
]
