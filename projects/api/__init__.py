"""REST endpoints for issuers, statements and offerings, one module per resource. They check shape, call one service
and render. The view sets and the shared pieces other apps' APIs use are re-exported here."""

from projects.api.commitments import MyCommitmentViewSet
from projects.api.documents import DocumentDownloadApi
from projects.api.issuers import IssuerViewSet
from projects.api.offerings import OfferingViewSet
from projects.api.questions import QuestionViewSet
from projects.api.responses import NO_OFFERING, NO_QUESTION, NOT_SIGNED_IN, TEXT_INVALID
from projects.api.serializers import MONEY

__all__ = [
    "MONEY",
    "NOT_SIGNED_IN",
    "NO_OFFERING",
    "NO_QUESTION",
    "TEXT_INVALID",
    "DocumentDownloadApi",
    "IssuerViewSet",
    "MyCommitmentViewSet",
    "OfferingViewSet",
    "QuestionViewSet",
]
