import rules
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import Conflict, Forbidden, Invalid
from marketplace.errors import MarketplaceError
from marketplace.permissions import acting_provider_ids
from orgs.models import User

from ..models import Question, Tender


def question_ask(*, actor: User, tender: Tender, text: str) -> Question:
    """Verified providers ask while the tender is open for bidding, until its questions close
    (``Tender.questions_until``, docs/rules.md §17.3): then 409 ``questions_closed``."""
    if not rules.has_perm("marketplace.ask_question_on_tender", actor, tender):
        raise Forbidden()
    if tender.status != Tender.Status.PUBLISHED or tender.is_deadline_passed:
        raise Conflict(
            _("Questions are accepted only while bidding is open."), code=MarketplaceError.BIDDING_CLOSED
        )
    if not tender.is_accepting_questions:
        until = tender.questions_until
        assert until is not None  # a published tender has one
        raise Conflict(
            _(
                "Questions about this tender closed on %(until)s, %(days)d days before the bid deadline "
                "(or halfway through the bidding period, if that is later)."
            )
            % {
                "until": timezone.localtime(until).strftime("%Y-%m-%d %H:%M"),
                "days": settings.MARKETPLACE_CLARIFICATION_DAYS,
            },
            code=MarketplaceError.QUESTIONS_CLOSED,
            extra={"questions_until": until.isoformat()},
        )
    if not text.strip():
        raise Invalid({"text": [_("This field may not be blank.")]})
    provider_id = acting_provider_ids(actor)[0]
    return Question.objects.create(
        tender=tender, text=text.strip(), asked_by=actor, asker_organization_id=provider_id
    )


@transaction.atomic
def question_answer(*, actor: User, question: Question, answer: str) -> Question:
    question = Question.objects.select_for_update().select_related("tender").get(pk=question.pk)
    if not rules.has_perm("marketplace.answer_question_on_tender", actor, question.tender):
        raise Forbidden()
    if not answer.strip():
        raise Invalid({"answer": [_("This field may not be blank.")]})
    if question.is_answered:
        raise Conflict(_("This question has already been answered."), code=MarketplaceError.ALREADY_ANSWERED)
    question.answer = answer.strip()
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    return question
