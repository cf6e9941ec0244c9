import pytest
from slugify import slugify


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", "hello-world"),
        ("Hello, World!", "hello-world"),
        ("  leading and trailing  ", "leading-and-trailing"),
        ("Python 3.11 Release Notes", "python-3-11-release-notes"),
        ("already-a-slug", "already-a-slug"),
        ("multiple---hyphens___and   spaces", "multiple-hyphens-and-spaces"),
        ("snake_case_name", "snake-case-name"),
        ("CamelCaseWord", "camelcaseword"),
        ("--a--b--", "a-b"),
        ("100% Pure (Orange) Juice", "100-pure-orange-juice"),
        ("", ""),
        ("!!!", ""),
    ],
)
def test_slugify(text, expected):
    assert slugify(text) == expected
