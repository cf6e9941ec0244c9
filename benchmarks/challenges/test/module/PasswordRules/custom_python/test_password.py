import string

import pytest
from password import generate_password

SPECIAL = "!@#$%&*?"
ALLOWED = set(string.ascii_lowercase + string.ascii_uppercase + string.digits + SPECIAL)


def follows_the_rules(pw, length):
    return (isinstance(pw, str) and len(pw) == length and set(pw) <= ALLOWED
            and any(c in string.ascii_lowercase for c in pw) and any(c in string.ascii_uppercase for c in pw)
            and any(c in string.digits for c in pw) and any(c in SPECIAL for c in pw))


def test_the_default_length_is_12():
    assert follows_the_rules(generate_password(), 12)


@pytest.mark.parametrize("length", [8, 9, 12, 20, 32])
def test_every_password_follows_the_rules(length):
    for _ in range(200):
        pw = generate_password(length)
        assert follows_the_rules(pw, length), pw


@pytest.mark.parametrize("length", [7, 33, 0, -4])
def test_a_length_outside_8_to_32_is_a_value_error(length):
    with pytest.raises(ValueError):
        generate_password(length)


def test_passwords_are_random():
    assert len({generate_password(12) for _ in range(300)}) >= 295


def test_the_required_characters_are_not_always_in_the_same_places():
    firsts = {generate_password(8)[0] for _ in range(300)}
    assert any(c in string.ascii_lowercase for c in firsts) and any(c in string.ascii_uppercase for c in firsts)
