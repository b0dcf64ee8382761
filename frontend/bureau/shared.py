"""Reads every bureau procurement page shares: the tenders of the user's bureaus, one tender."""

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from marketplace.models import Tender
from marketplace.permissions import bureau_member_ids
from marketplace.selectors import tender_list
from orgs.models import User


def bureau_tenders(user: Any) -> QuerySet[Tender]:
    """The tenders of the bureaus the user works for, every state: another bureau's tender is
    not found here, even when it is public."""
    return tender_list(user=user).filter(bureau_id__in=bureau_member_ids(user))


def get_tender(request: HttpRequest, pk: int) -> Tender:
    return get_object_or_404(bureau_tenders(request.user), pk=pk)


def user_of(request: HttpRequest) -> User:
    """The signed-in user (every page here is behind ``area_required``)."""
    return cast(User, request.user)
