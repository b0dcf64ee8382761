"""Guards at the edges of the evaluation machine: reviews after publication, terminated contracts."""

import pytest

from common.errors import Conflict
from contracts import services as contract_services
from evaluations import services
from evaluations.models import Evaluation, Rating

from .. import flows

pytestmark = pytest.mark.django_db


def test_a_quarantined_rating_cannot_be_reviewed_once_the_evaluation_is_published(world):
    objects = flows.delivering_contract(world, households=21)
    suspicious = flows.quarantined_rating(objects["residents"][0], objects["contract"])
    for resident in objects["residents"][1:]:
        flows.rate(resident, objects["contract"], 5, address=f"10.9.0.{resident.id % 250}")
    evaluation = objects["evaluation"]
    flows.score_components(world, evaluation)
    flows.submit_report(world, objects["contract"], "midterm")
    services.evaluation_finalize(actor=world["officer"], evaluation=evaluation)

    with pytest.raises(Conflict) as refused:
        services.rating_review(actor=world["officer"], rating=suspicious, decision="restore", reason="late")
    assert refused.value.code == "rating_window_closed"
    assert Rating.objects.get(pk=suspicious.pk).status == Rating.Status.QUARANTINED


def test_a_terminated_contracts_evaluation_moves_no_further(world):
    objects = flows.delivering_contract(world)
    evaluation = objects["evaluation"]
    contract_services.contract_terminate(actor=world["officer"], contract=objects["contract"], reason="Fraud")
    with pytest.raises(Conflict) as refused:
        services.evaluation_score(actor=world["officer"], evaluation=evaluation, component="buyer", score=80)
    assert refused.value.code == "invalid_transition"
    assert Evaluation.objects.get(pk=evaluation.pk).buyer is None
