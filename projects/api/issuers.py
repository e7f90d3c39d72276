"""`/api/v1/issuers/`: companies and the statements they file."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kernel.api_errors import PERMISSION_DENIED
from projects import selectors, services
from projects.api.serializers import IssuerSerializer, StatementInputSerializer, StatementSerializer
from projects.models import Issuer


class IssuerViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = IssuerSerializer
    queryset = Issuer.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.issuers_visible_to(self.request.user)

    @extend_schema(responses={201: IssuerSerializer, 403: PERMISSION_DENIED})
    def create(self, request, *args, **kwargs):
        data = IssuerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        issuer = services.issuer_create(owner=request.user, **data.validated_data)
        return Response(IssuerSerializer(issuer).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses=StatementSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=StatementInputSerializer, responses={201: StatementSerializer, 403: PERMISSION_DENIED}
    )
    @action(detail=True, methods=["get", "post"])
    def financials(self, request, pk=None):
        issuer = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.statements_of(issuer))
            return self.get_paginated_response(StatementSerializer(page, many=True).data)
        data = StatementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        statement = services.financial_statement_file(issuer=issuer, by=request.user, **data.validated_data)
        return Response(StatementSerializer(statement).data, status=status.HTTP_201_CREATED)
