"""What waits for a residents' committee on the community side (docs/rules.md §22, §23): the
residents' needs its council has not decided yet (``frontend.needs.views.needs_awaiting_council``,
the needs app's visibility) and the tasks bureaus sent to its communities that it has not answered
(``communitytasks``: any member of the community may accept or refuse) — of the community the
tasks page shows (``frontend.access.acting_organization_for``), so the count is what the link
opens. Two counts, whatever the number of items."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from communitytasks.models import CommunityTask
from communitytasks.selectors import community_task_list

from ..access import acting_organization_for
from ..needs.views import needs_awaiting_council
from . import Task


def tasks(user: Any) -> list[Task]:
    result = []
    needs = needs_awaiting_council(user).count()
    if needs:
        result.append(
            Task(_("Record the council's decision on the residents' needs"), reverse("needs:council"), needs)
        )
    community = acting_organization_for(user, "community")
    if community is not None:
        sent = (
            community_task_list(user=user)
            .filter(community=community, status=CommunityTask.Status.PROPOSED)
            .count()
        )
        if sent:
            result.append(
                Task(_("Accept or refuse the tasks sent to the community"), reverse("community:tasks"), sent)
            )
    return result
