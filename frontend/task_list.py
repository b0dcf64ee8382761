"""The GOV.UK "complete multiple tasks" pattern, as the bureau's tender and the provider's bid use
it: every section's form ends with "Have you completed this section?", and the task list shows
each section's status."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import GovukForm

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
CANNOT_START = "cannot_start"
STATUS_LABELS = {
    NOT_STARTED: _("Not yet started"),
    IN_PROGRESS: _("In progress"),
    COMPLETED: _("Completed"),
    CANNOT_START: _("Cannot start yet"),
}

COMPLETED_CHOICES = [("yes", _("Yes, I've completed this section")), ("no", _("No, I'll come back later"))]


class TaskListSectionForm(GovukForm):
    """One section of a task list: it ends with "Have you completed this section?"."""

    completed = forms.ChoiceField(
        label=_("Have you completed this section?"),
        choices=COMPLETED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Select whether you have completed this section")},
    )
