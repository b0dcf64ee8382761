"""Form messages are written for people (issue 9): every message names its field by its label and
says how to put it right, in the reader's language, instead of Django's defaults ("This field is
required.", "Ensure this value has at most 200 characters"). A message a form writes itself stays."""

import pytest
from django import forms
from django.conf import settings
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from frontend.bureau.forms import DeclarationForm
from frontend.forms import GovukForm
from tests import flows

from .helpers import page

pytestmark = pytest.mark.django_db

DJANGO_DEFAULTS = {
    "en": ["This field is required", "Ensure this value", "Enter a number", "Select a valid choice"],
    "zh-hans": [
        "这个字段是必填项",
        "该字段是必填项",
        "确保该变量",
        "变量",
        "输入一个数字",
        "选择一个有效的选项",
    ],
}


def client_in(language: str, user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    client.force_login(user)
    return client


def expected(language: str, message: str, label: str, **params) -> str:
    """The message as the page should show it, in ``language`` (whatever the catalogue holds)."""
    with translation.override(language):
        template, name = gettext(message), gettext(label)
        if not template.startswith("{label}") and name[:1].isupper() and name[1:2].islower():
            name = name[0].lower() + name[1:]  # "Enter title": a label inside an English sentence
        text = template.replace("{label}", name)
        return text % params if params else text


def assert_no_django_defaults(html: str, language: str) -> None:
    for default in DJANGO_DEFAULTS[language]:
        assert default not in html, default


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_tender_section_names_each_missing_and_too_long_field(world, language):
    client = client_in(language, world["officer"])

    response = client.post(
        "/bureau/tenders/new/service/",
        {"title": "", "description": "x" * 20001, "catalogue_item": "", "completed": "yes"},
    )

    assert response.status_code == 200
    html = page(response)
    required_title = expected(language, "Enter {label}", "Title")
    if language == "en":
        assert required_title == "Enter title"
    assert f'<a href="#id_title">{required_title}</a>' in html
    assert (
        f'<a href="#id_catalogue_item">{expected(language, "Select {label}", "Catalogue item")}</a>' in html
    )
    too_long = expected(
        language, "{label} must be %(limit_value)d characters or fewer", "Description", limit_value=20000
    )
    if language == "en":
        assert too_long == "Description must be 20000 characters or fewer"
    assert f'<a href="#id_description">{too_long}</a>' in html
    assert_no_django_defaults(html, language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_numbers_and_dates_say_what_to_enter(world, language):
    client = client_in(language, world["officer"])

    response = client.post(
        "/bureau/tenders/new/timetable/",
        {"deadline_date": "30/09/2026", "deadline_time": "5pm", "service_start": "", "completed": "yes"},
    )

    html = page(response)
    date_message = expected(
        language, "{label} must be a real date, for example {example}", "Bid deadline date"
    )
    assert date_message.replace("{example}", "2026-09-30") in html
    time_message = expected(
        language, "{label} must be a time on the 24-hour clock, for example {example}", "Bid deadline time"
    )
    assert time_message.replace("{example}", "17:00") in html
    assert_no_django_defaults(html, language)

    response = client.post(
        "/bureau/tenders/new/areas-budget/",
        {"areas": ["999999"], "budget_line": world["budget_line"].pk, "ceiling": "lots", "completed": "yes"},
    )
    html = page(response)
    assert expected(language, "{label} must be a number", "Ceiling amount in yuan") in html
    assert expected(language, "Select {label} from the options shown", "Service areas") in html
    assert_no_django_defaults(html, language)

    response = client.post(
        "/bureau/tenders/new/areas-budget/",
        {"areas": [world["areas"]["street"].pk], "budget_line": world["budget_line"].pk, "ceiling": "0.001"},
    )
    html = page(response)
    assert (
        expected(
            language,
            "{label} can have no more than %(max)s digits after the decimal point",
            "Ceiling amount in yuan",
            max=2,
        )
        in html
    )
    # the radios' own message, linked to their first option
    completed = expected(language, "Select whether you have completed this section", "")
    assert f'<a href="#id_completed_0">{completed}</a>' in html


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_provider_question_keeps_its_own_message_and_names_the_question_when_too_long(world, language):
    tender = flows.published_tender(world)
    client = client_in(language, world["provider_staff"][0])
    url = f"/provider/tenders/{tender.pk}/questions/new/"

    html = page(client.post(url, {"text": ""}))
    assert expected(language, "Enter your question", "") in html  # set by the form: kept

    html = page(client.post(url, {"text": "q" * 2001}))
    with translation.override(language):
        subject = gettext("Your answer to “{question}”").replace(
            "{question}", gettext("What is your question?")
        )
        message = gettext("{label} must be %(limit_value)d characters or fewer").replace(
            "{label}", subject
        ) % {"limit_value": 2000}
    if language == "en":
        assert message == "Your answer to “What is your question?” must be 2000 characters or fewer"
    assert f'<a href="#id_text">{message}</a>' in html
    assert_no_django_defaults(html, language)


class ExampleForm(GovukForm):
    name = forms.CharField(label="Name of the project", max_length=5, min_length=2)
    share = forms.IntegerField(label="Share in %", min_value=1, max_value=100)
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A")], widget=forms.RadioSelect)
    email = forms.EmailField(label="Email address", required=False)
    note = forms.CharField(label="Note", error_messages={"required": "Write a note"})
    agree = forms.BooleanField(label="I agree to the terms")
    when = forms.DateField(label="Start date", required=False, input_formats=["%Y-%m-%d"])


def test_the_shared_form_base_writes_every_kind_of_message():
    with translation.override("en"):
        form = ExampleForm(
            {"name": "x" * 6, "share": "250", "kind": "b", "email": "nope", "when": "2026-02-30"}
        )
        assert not form.is_valid()
        assert form.errors == {
            "name": ["Name of the project must be 5 characters or fewer"],
            "share": ["Share in % must be 100 or less"],
            "kind": ["Select kind from the options shown"],
            "email": ["Enter email address in the right format, like name@example.com"],
            "note": ["Write a note"],
            "agree": ["Select “I agree to the terms” to continue"],
            "when": ["Start date must be a real date, for example 2026-09-30"],
        }
        form = ExampleForm({"name": "x", "share": "0", "kind": "", "note": "n", "agree": "on"})
        assert not form.is_valid()
        assert form.errors == {
            "name": ["Name of the project must be 2 characters or more"],
            "share": ["Share in % must be 1 or more"],
            "kind": ["Select kind"],
        }
        assert ("id_kind_0", "Select kind") in form.error_summary()
        assert ("id_name", "Name of the project must be 2 characters or more") in form.error_summary()


def test_a_message_set_by_the_form_is_kept():
    with translation.override("en"):
        form = DeclarationForm({})
        assert not form.is_valid()
        assert form.errors["no_conflict"] == ["Confirm that you have no conflict of interest with any bidder"]


def test_checkboxes_are_styled_as_checkboxes_and_radios_as_radios():
    """A CheckboxSelectMultiple is a RadioSelect to Django: it must still get the checkbox class, or
    GOV.UK Frontend draws no tick and a checked box looks empty."""

    class Choices(GovukForm):
        areas = forms.MultipleChoiceField(
            label="Areas", choices=[("1", "One")], widget=forms.CheckboxSelectMultiple
        )
        kind = forms.ChoiceField(label="Kind", choices=[("a", "A")], widget=forms.RadioSelect)

    html = str(Choices({"areas": ["1"], "kind": "a"}))
    assert 'class="govuk-checkboxes__input" checked' in html
    assert 'class="govuk-radios__input" checked' in html
