"""The demo (``manage.py seed_demo``) shows community task admission: 玉林北路社区 accepted a listed,
funded task whose funding was paid, refused an unfunded one not on the list, and has one to answer."""

from io import StringIO

import pytest
from django.core.management import call_command

from communitytasks.models import CommunityTask
from communitytasks.selectors import workload_of

pytestmark = pytest.mark.django_db


def test_the_demo_community_accepted_a_funded_task_and_refused_an_unfunded_one():
    call_command("seed_demo", stdout=StringIO())
    funded = CommunityTask.objects.get(status="funded")
    assert funded.is_listed and funded.disbursement.status == "succeeded"
    assert funded.disbursement.amount == funded.funding_amount == funded.commitment.amount
    refused = CommunityTask.objects.get(status="refused")
    assert not refused.is_funded and not refused.is_listed and refused.refusal_protected and refused.reason
    assert CommunityTask.objects.filter(status="proposed").count() == 1
    years = workload_of(community=funded.community)
    assert sum(row.received_amount for row in years) == funded.funding_amount
    assert sum(row.refused_protected for row in years) == 1
