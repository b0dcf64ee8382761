"""Telling the provider that an evaluation is published and its appeal window is open (docs/rules.md
§11.7). ``evaluations.tasks.notify_published_evaluations`` runs this for every published evaluation
still open to appeal; ``common.models.SentNotice`` makes it once per evaluation however often the
task runs or is retried."""

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from common.models import SentNotice
from common.notifications import notify_after_commit

from .models import Evaluation
from .permissions import provider_members_of

PUBLISHED_NOTICE = "evaluation_published"


def evaluations_to_announce() -> QuerySet[Evaluation]:
    """Published evaluations whose appeal window is open and whose provider has not been told."""
    told = SentNotice.objects.filter(kind=PUBLISHED_NOTICE).values("object_id")
    due: QuerySet[Evaluation] = Evaluation.objects.filter(
        status=Evaluation.Status.PUBLISHED, appeal_until__gt=timezone.now()
    ).exclude(pk__in=told)
    return due


@transaction.atomic
def evaluation_publication_notify(*, evaluation_id: int) -> bool:
    """Tell the provider's admins and staff (e-mail and SMS, once this commits) of the published S,
    band and release, and until when they may appeal. Once per evaluation; nothing once the window
    has closed or the evaluation is no longer published. Returns whether it told anyone."""
    evaluation = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("contract")
        .filter(pk=evaluation_id)
        .first()
    )
    if evaluation is None or not evaluation.is_appeal_window_open:
        return False
    _notice, created = SentNotice.objects.get_or_create(kind=PUBLISHED_NOTICE, object_id=evaluation.pk)
    if not created:
        return False
    assert evaluation.appeal_until is not None
    contract = evaluation.contract
    notify_after_commit(
        user_ids=list(provider_members_of(contract).values_list("id", flat=True)),
        subject=_("An evaluation of your contract is published"),
        body=_(
            "%(title)s, %(stage)s evaluation: S = %(score)s, band %(band)s, %(release)s%% of the payment "
            "released. You may appeal (复核) until %(until)s (Beijing time) from the contract's page "
            "at /provider/."
        )
        % {
            "title": contract.title,
            "stage": evaluation.get_stage_display(),
            "score": evaluation.composite,
            "band": evaluation.band,
            "release": evaluation.release_pct,
            "until": timezone.localtime(evaluation.appeal_until).strftime("%Y-%m-%d %H:%M"),
        },
    )
    return True
