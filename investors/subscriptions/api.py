"""REST endpoints for subscriptions, holdings, the staff close action and Stripe's webhook."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from investors.models import Holding, RefundStatus, Subscription
from investors.subscriptions import cancellation, reconfirmation, selectors
from investors.subscriptions import services as subscriptions
from investors.subscriptions.throttles import SubscribeThrottle
from kernel.api_errors import PERMISSION_DENIED, documented_error
from kernel.errors import ErrorCode
from projects import selectors as project_selectors
from projects import services as project_services
from projects.api import MONEY, NO_OFFERING, NOT_SIGNED_IN


class SubscriptionInputSerializer(serializers.Serializer):
    offering = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    payment_method = serializers.CharField(max_length=100)


class RefundSerializer(serializers.Serializer):
    # `failed`: Stripe refused or failed it and staff settle it (again through Stripe, or `paid_manually`).
    status = serializers.ChoiceField(choices=RefundStatus.choices)
    amount = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()


class SubscriptionSerializer(serializers.ModelSerializer):
    cancel_deadline = serializers.SerializerMethodField()
    refund = RefundSerializer(source="refund_record", read_only=True, allow_null=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "offering",
            "amount",
            "currency",
            "shares",
            "status",
            "created_at",
            "paid_at",
            "cancel_deadline",
            "reconfirm_deadline",
            "refund",
        ]

    def get_cancel_deadline(self, subscription: Subscription) -> str:
        return serializers.DateTimeField().to_representation(cancellation.cancel_deadline(subscription.offering))

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.refund_record is None:
            data.pop("refund")
        if data.get("reconfirm_deadline") is None:
            data.pop("reconfirm_deadline")
        return data


class HoldingSerializer(serializers.ModelSerializer):
    issuer = serializers.IntegerField(source="offering.issuer_id")

    class Meta:
        model = Holding
        fields = ["offering", "issuer", "shares", "amount", "currency", "acquired_at"]


class SubscriptionViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SubscriptionSerializer
    queryset = Subscription.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.subscriptions_visible_to(self.request.user)

    def get_throttles(self):
        throttles = super().get_throttles()
        return [*throttles, SubscribeThrottle()] if self.action == "create" else throttles

    @extend_schema(
        request=SubscriptionInputSerializer,
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)],
        responses={
            201: SubscriptionSerializer,
            200: SubscriptionSerializer,
            400: documented_error(
                ErrorCode.VALIDATION_ERROR,
                ErrorCode.BELOW_MINIMUM,
                description="A field at fault, or an amount under the offering's minimum investment.",
            ),
            402: documented_error(ErrorCode.PAYMENT_DECLINED, description="The card was declined."),
            403: documented_error(
                ErrorCode.PERMISSION_DENIED,
                ErrorCode.KYC_REQUIRED,
                ErrorCode.SUITABILITY_REQUIRED,
                ErrorCode.NOT_QUALIFIED,
                ErrorCode.RISK_ACKNOWLEDGEMENT_REQUIRED,
                description="Not an investor account, or the investor may not subscribe yet: identity, "
                "suitability, qualification or the signed risk statement (`details` says what is needed).",
            ),
            409: documented_error(
                ErrorCode.OFFERING_NOT_OPEN,
                ErrorCode.OFFERING_FULL,
                ErrorCode.INVESTOR_CAP_REACHED,
                ErrorCode.LIMIT_EXCEEDED,
                ErrorCode.IDEMPOTENCY_CONFLICT,
                description="The offering takes no money now or has not enough left (`details.remaining_amount`), "
                "its investor cap is reached, the regime's investment limit would be passed, or the "
                "Idempotency-Key was used for another request.",
            ),
            429: documented_error(ErrorCode.THROTTLED, description="Too many subscription attempts by this investor."),
        },
    )
    def create(self, request, *args, **kwargs):
        data = SubscriptionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offering = get_object_or_404(
            project_selectors.offerings_visible_to(request.user), pk=data.validated_data["offering"]
        )
        answer = subscriptions.subscription_create(
            investor=request.user,
            offering=offering,
            amount=data.validated_data["amount"],
            payment_method=data.validated_data["payment_method"],
            idempotency_key=request.headers.get("Idempotency-Key", ""),
            client_ip=request.META.get("REMOTE_ADDR"),
        )
        subscription = selectors.subscriptions_visible_to(request.user).get(pk=answer.subscription.pk)
        return Response(
            SubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if answer.created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=None,
        responses={
            200: SubscriptionSerializer,
            403: PERMISSION_DENIED,
            409: documented_error(
                ErrorCode.INVALID_TRANSITION,
                ErrorCode.CANCELLATION_CLOSED,
                description="Not paid, or the time to cancel has ended.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        subscriptions.subscription_cancel(subscription=self.get_object(), by=request.user)
        return Response(SubscriptionSerializer(self.get_queryset().get(pk=pk)).data)

    @extend_schema(
        request=None,
        responses={
            200: SubscriptionSerializer,
            403: PERMISSION_DENIED,
            409: documented_error(
                ErrorCode.INVALID_TRANSITION,
                ErrorCode.RECONFIRMATION_CLOSED,
                description="Not waiting for reconfirmation, or its deadline has passed.",
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def reconfirm(self, request, pk=None):
        reconfirmation.subscription_reconfirm(subscription=self.get_object(), by=request.user)
        return Response(SubscriptionSerializer(self.get_queryset().get(pk=pk)).data)


class MySubscriptionsApi(generics.ListAPIView):
    serializer_class = SubscriptionSerializer
    queryset = Subscription.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.subscriptions_of(self.request.user)


class MyHoldingsApi(generics.ListAPIView):
    serializer_class = HoldingSerializer
    queryset = Holding.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        return selectors.holdings_of(self.request.user)


class OfferingCloseInputSerializer(serializers.Serializer):
    closes_at = serializers.DateTimeField(required=False, default=None)


class OfferingCloseApi(APIView):
    """The service checks the offering reviewer's permission and the regime's early-close rule."""

    @extend_schema(
        description=(
            "Close a live offering early, under every regime with notice to its investors: its deadline is brought "
            "forward to `closes_at` or the earliest the regime's notice period allows (5 business days after the "
            "notice under `cn` and `us_reg_cf`), whichever is later, by an update that every investor is emailed. "
            "The offering stays `live`, and investors may cancel until the cancel window before the new deadline; "
            "at that deadline it moves to `closing` and settlement follows. The answer gives the new deadline."
        ),
        request=OfferingCloseInputSerializer,
        responses={
            202: inline_serializer(
                "OfferingCloseResult",
                {
                    "id": serializers.IntegerField(),
                    "status": serializers.CharField(),
                    "closes_at": serializers.DateTimeField(),
                },
            ),
            400: documented_error(ErrorCode.VALIDATION_ERROR, description="`fields.closes_at` is not a date and time."),
            401: NOT_SIGNED_IN,
            403: PERMISSION_DENIED,
            404: NO_OFFERING,
            409: documented_error(
                ErrorCode.EARLY_CLOSE_NOT_ALLOWED,
                ErrorCode.INVALID_TRANSITION,
                description="`early_close_not_allowed`: the regime's rule refuses it (target not met, open too few "
                "days, or the deadline is already no later than the notice period allows); `details` names the rule, "
                "the figures and the requested deadline. `invalid_transition`: the offering is not live.",
            ),
        },
    )
    def post(self, request, offering_id: int):
        offering = get_object_or_404(project_selectors.offerings_visible_to(request.user), pk=offering_id)
        data = OfferingCloseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        offering = project_services.offering_close_early(offering=offering, by=request.user, **data.validated_data)
        return Response(
            {"id": offering.pk, "status": offering.status, "closes_at": offering.closes_at},
            status=status.HTTP_202_ACCEPTED,
        )


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        request=None,
        responses={
            200: None,
            400: documented_error(ErrorCode.INVALID_SIGNATURE, description="The body is unsigned or wrongly signed."),
        },
    )
    def post(self, request):
        subscriptions.stripe_event_receive(
            payload=request.body, signature_header=request.headers.get("Stripe-Signature", "")
        )
        return Response({"received": True})
