"""The data room's download for API clients: the same access rule and attachment response as the page's."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from kernel.api_errors import documented_error
from kernel.errors import ErrorCode
from projects import documents
from projects.api.responses import NOT_SIGNED_IN


class FileOrJsonErrorNegotiation(BaseContentNegotiation):
    """The download answers a file, which no renderer touches, or a refusal in the contract's JSON body, whatever
    the client's Accept header asks (`application/pdf` would otherwise be refused with 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class DocumentDownloadApi(APIView):
    permission_classes = [IsAuthenticated]
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FileOrJsonErrorNegotiation

    @extend_schema(
        operation_id="documents_download",
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The PDF as an attachment (`Content-Disposition: attachment`, "
                "`X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`).",
            ),
            401: NOT_SIGNED_IN,
            404: documented_error(
                ErrorCode.NOT_FOUND,
                description="No document in the data room of an offering you may see has this id "
                "(withdrawn documents included).",
            ),
        },
    )
    def get(self, request, pk: int):
        """A data-room PDF, to signed-in users who may see its offering: the same rule as the page's download."""
        return documents.document_attachment(get_object_or_404(documents.documents_visible_to(request.user), pk=pk))
