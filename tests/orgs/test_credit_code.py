"""The unified social credit code validator (GB 32100-2015) and its use at provider registration."""

import pytest
from django.core.exceptions import ValidationError

from orgs.credit_code import check_character, is_valid_credit_code, validate_credit_code
from orgs.models import Organization, User

# Written out here rather than imported, so the test checks the implementation against the standard.
GB32100_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
GB32100_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def gb32100_check_character(first17: str) -> str:
    total = sum(
        GB32100_ALPHABET.index(char) * weight for char, weight in zip(first17, GB32100_WEIGHTS, strict=True)
    )
    remainder = 31 - total % 31
    return GB32100_ALPHABET[0 if remainder == 31 else remainder]


KNOWN_VALID = [
    "91350100M000100Y43",  # the standard's own example
    "91110000600037341L",
    "91440300708461136T",
]


def test_the_standards_example_checks_out_by_hand():
    # Σ value × weight over the first 17 characters of 91350100M000100Y4 is 1640; 1640 mod 31 = 28;
    # 31 − 28 = 3, and the 18th character is "3"
    first17 = "91350100M000100Y4"
    total = sum(GB32100_ALPHABET.index(c) * w for c, w in zip(first17, GB32100_WEIGHTS, strict=True))
    assert total == 1640
    assert 31 - total % 31 == 3
    assert check_character(first17) == "3"


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_known_valid_codes(code):
    assert gb32100_check_character(code[:17]) == code[17]
    assert is_valid_credit_code(code)
    validate_credit_code(code)  # does not raise


@pytest.mark.parametrize(
    "first17",
    [
        "52510107000000001",
        "12510000MB0123456",
        "93510107MA6CXY4KU",
        "31110000ABCDEFGHJ",
        "Y1000000000000000",
        "00000000000000000",  # check character 0: the remainder 31 is written as 0
    ],
)
def test_generated_codes_are_valid(first17):
    code = first17 + check_character(first17)

    assert check_character(first17) == gb32100_check_character(first17)
    assert is_valid_credit_code(code)


def test_a_check_value_of_31_is_written_0():
    assert check_character("00000000000000000") == "0"


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_every_other_check_character_is_rejected(code):
    for char in GB32100_ALPHABET:
        if char != code[17]:
            assert not is_valid_credit_code(code[:17] + char)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "91350100M000100Y4",  # 17 characters
        "91350100M000100Y433",  # 19
        " 91350100M000100Y43",
        "91350100M000100Y43 ",
    ],
)
def test_wrong_length_is_rejected(code):
    assert not is_valid_credit_code(code)


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_letters_outside_the_alphabet_are_rejected(letter):
    first17 = f"91350100{letter}000100Y4"
    # Even with a check character computed as if the letter counted, the code is refused
    assert not is_valid_credit_code(first17 + "3")
    for char in GB32100_ALPHABET:
        assert not is_valid_credit_code(first17 + char)


def test_lowercase_is_rejected():
    assert not is_valid_credit_code("91350100m000100y43")
    assert not is_valid_credit_code("91110000600037341l")


def test_division_code_must_be_digits():
    first17 = "9135010AM000100Y4"  # position 8 of the administrative division is a letter
    assert not is_valid_credit_code(first17 + check_character(first17))


def test_validator_raises_a_coded_validation_error():
    with pytest.raises(ValidationError) as raised:
        validate_credit_code("91350100M000100Y44")
    assert raised.value.code == "invalid_credit_code"


def registration(credit_code: str) -> dict:
    return {
        "organization": {
            "name": "Yulin Social Work Centre",
            "legal_type": "social_organization",
            "credit_code": credit_code,
        },
        "admin": {"username": "yulin-admin", "password": "correct-horse-battery-9", "email": "a@example.org"},
    }


@pytest.mark.parametrize(
    "bad_code",
    ["91350100M000100Y44", "91350100M000100Y4", "91350100m000100y43", "91350100O000100Y43", "not-a-code"],
)
def test_provider_registration_rejects_a_bad_credit_code(db, api, bad_code):
    organizations, users = Organization.objects.count(), User.objects.count()

    response = api().post("providers/register/", registration(bad_code))

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "credit_code" in body["extra"]["fields"]["organization"]
    assert Organization.objects.count() == organizations
    assert User.objects.count() == users


def test_provider_registration_accepts_the_standards_example(db, api):
    response = api().post("providers/register/", registration("91350100M000100Y43"))

    assert response.status_code == 201, response.json()
    assert Organization.objects.get(pk=response.json()["id"]).credit_code == "91350100M000100Y43"
