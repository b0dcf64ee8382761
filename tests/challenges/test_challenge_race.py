"""A challenge submitted in the same instant as the scheduler finalizes the award (docs/rules.md
§17.5): both lock the tender's row first, so exactly one wins — a held award and no contract, or a
confirmed award and the challenge refused 409 ``challenge_window_closed`` — and never a contract
under a pending challenge. Real concurrency needs real connections: PostgreSQL only."""

import pytest
from django.db import connection

from challenges import services
from challenges.models import Challenge
from common.errors import ApplicationError
from contracts.models import Contract
from contracts.tasks import finalize_award
from marketplace.models import Award, BudgetLine, Tender

from ..flows import award_proposed_tender, pass_standstill
from ..test_concurrency import as_user, race

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True),
]

ROUNDS = 6


def test_a_challenge_racing_the_scheduler_either_holds_the_award_or_is_refused(world):
    outcomes = set()
    BudgetLine.objects.filter(pk=world["budget_line"].pk).update(amount=1_000_000_000)  # a tender a round
    for round_number in range(ROUNDS):
        # the standstill is over (time passing) but the challenge window is still open
        tender = pass_standstill(award_proposed_tender(world))
        award = Award.objects.get(tender=tender)
        assert award.is_open_to_challenge

        def challenge(tender_id=tender.pk, round_number=round_number):
            return services.challenge_submit(
                actor=as_user(world["provider_admins"][1]),
                tender=Tender.objects.get(pk=tender_id),
                grounds=f"Round {round_number}: our price was lower.",
            )

        def finalize(tender_id=tender.pk):
            return finalize_award(tender_id)  # the scheduler's task: logs and swallows a refusal

        challenged, _finalized = race(challenge, finalize)

        award.refresh_from_db()
        tender.refresh_from_db()
        contract = Contract.objects.filter(tender=tender).first()
        if isinstance(challenged, Challenge):
            outcomes.add("challenge won")
            assert award.status == "challenged"
            assert tender.status == "award_proposed"
            assert contract is None
        else:
            outcomes.add("finalizing won")
            assert isinstance(challenged, ApplicationError), challenged
            assert (challenged.status_code, challenged.code) == (409, "challenge_window_closed")
            assert award.status == "confirmed" and tender.status == "awarded"
            assert contract is not None
            assert not Challenge.objects.filter(award=award).exists()
        # never a contract under a pending challenge
        assert not (
            contract is not None and Challenge.objects.filter(award=award, status="submitted").exists()
        )
    print("outcomes:", sorted(outcomes))  # which side wins is the machine's; both are checked above
