from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import TITLE_MAX_LENGTH

from ..forms import GovukForm


class DocumentForm(GovukForm):
    file = forms.FileField(
        label=_("Upload a file"),
        help_text=_("PDF, OFD, Word (.docx), Excel (.xlsx), JPEG or PNG, up to %(size)s."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    kind = forms.ChoiceField(label=_("What is it?"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], max_size: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = kinds
        self.fields["file"].help_text = str(self.fields["file"].help_text) % {"size": max_size}
