"""The provider is told when an evaluation is published and its appeal window opens (docs/rules.md
§11.7): ``evaluations.tasks.notify_published_evaluations`` (beat) tells its admins and staff by
e-mail and SMS once per evaluation, however often it runs, and never once the window has closed."""

import pytest

from common.models import SentNotice
from evaluations.tasks import notify_evaluation_published, notify_published_evaluations

from .. import flows

pytestmark = pytest.mark.django_db


def reachable_provider_users(world) -> set[str]:
    """The first provider's admin and staff (the contract's provider), with an address and a phone;
    another provider's admin too, who must hear nothing."""
    users = [world["provider_admins"][0], world["provider_staff"][0], world["provider_admins"][1]]
    for number, user in enumerate(users):
        user.email, user.phone = f"{user.username}@example.cn", f"1380000000{number}"
        user.save(update_fields=["email", "phone"])
    return {users[0].email, users[1].email}


def test_the_provider_is_told_once_with_the_score_and_the_deadline(
    world, settings, mailoutbox, sms, django_capture_on_commit_callbacks
):
    settings.LANGUAGE_CODE = "en"
    settings.EVALUATION_APPEAL_DAYS = 5
    expected = reachable_provider_users(world)
    objects = flows.delivering_contract(world, households=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_published_evaluations() == 0  # open, not yet published: nothing to tell
    evaluation = flows.published_evaluation(world, objects, satisfaction=5, t="70", b="65", c="70")

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_published_evaluations() == 1
    assert {message.to[0] for message in mailoutbox} == expected
    body = mailoutbox[0].body
    assert objects["contract"].title in body
    assert f"S = {evaluation.composite}, band {evaluation.band}" in body
    assert "appeal" in body and evaluation.appeal_until is not None
    assert sorted(message.to for message in sms) == ["13800000000", "13800000001"]

    told = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_published_evaluations() == 0  # told once per evaluation
        notify_evaluation_published(evaluation.pk)  # a retried task tells nobody again
    assert len(mailoutbox) == told and len(sms) == 2
    assert SentNotice.objects.filter(kind="evaluation_published", object_id=evaluation.pk).count() == 1


def test_nobody_is_told_once_the_window_has_closed(world, mailoutbox, django_capture_on_commit_callbacks):
    reachable_provider_users(world)
    objects = flows.delivering_contract(world, households=3)
    evaluation = flows.published_evaluation(world, objects)
    flows.pass_appeal_window(evaluation)

    with django_capture_on_commit_callbacks(execute=True):
        assert notify_published_evaluations() == 0
        notify_evaluation_published(evaluation.pk)  # queued before the window closed
    assert mailoutbox == []
    assert not SentNotice.objects.exists()
