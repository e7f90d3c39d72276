"""`/api/v1/commitments/`: commitments that name the signed-in investor, and their answer."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from kernel.api_errors import documented_error
from kernel.errors import ErrorCode
from projects import selectors, services
from projects.api.serializers import NamedCommitmentSerializer
from projects.models import AnnouncedCommitment

COMMITMENT_ANSWER_RESPONSES = {
    200: NamedCommitmentSerializer,
    404: documented_error(ErrorCode.NOT_FOUND, description="No commitment names you with this id."),
    409: documented_error(ErrorCode.INVALID_TRANSITION, description="Already accepted or declined (`details.status`)."),
}


class MyCommitmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Commitments issuers announced in the signed-in investor's name; the investor accepts or declines each once.
    Someone else's commitment is 404."""

    serializer_class = NamedCommitmentSerializer
    permission_classes = [IsAuthenticated]
    queryset = AnnouncedCommitment.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.commitments_naming(self.request.user)

    def _answer(self, service) -> Response:
        commitment = service(commitment_id=self.get_object().pk, by=self.request.user)
        return Response(NamedCommitmentSerializer(commitment).data)

    @extend_schema(request=None, responses=COMMITMENT_ANSWER_RESPONSES)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(services.commitment_accept)

    @extend_schema(request=None, responses=COMMITMENT_ANSWER_RESPONSES)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(services.commitment_decline)
