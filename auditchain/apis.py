"""``GET log/head/`` (public): the tamper-evident log's head (docs/rules.md §24)."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .selectors import log_head
from .serializers import LogHeadSerializer


class LogHeadApi(APIView):
    permission_classes = [AllowAny]  # public: the schema says so (no credentials needed)

    @extend_schema(responses=LogHeadSerializer)
    def get(self, request: Request) -> Response:
        return Response(LogHeadSerializer(log_head()).data)
