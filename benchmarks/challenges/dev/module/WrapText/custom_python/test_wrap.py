import pytest
from wrap import wrap_text

CASES = [
    ('The quick brown fox jumps over the lazy dog', 10, ['The quick', 'brown fox', 'jumps over', 'the lazy', 'dog']),
    ('The quick brown fox jumps over the lazy dog', 15, ['The quick brown', 'fox jumps over', 'the lazy dog']),
    ('  spaces   and\ttabs\nand newlines  ', 12, ['spaces and', 'tabs and', 'newlines']),
    ('', 10, []),
    ('   ', 5, []),
    ('supercalifragilistic is long', 8, ['supercalifragilistic', 'is long']),
    ('a b c d e f g', 3, ['a b', 'c d', 'e f', 'g']),
    ('exactly ten', 11, ['exactly ten']),
    ('exactly ten', 10, ['exactly', 'ten']),
    ('one', 1, ['one']),
    ('word', 100, ['word']),
]


@pytest.mark.parametrize(("text", "width", "expected"), CASES)
def test_wrap_text(text, width, expected):
    assert wrap_text(text, width) == expected


@pytest.mark.parametrize("width", [0, -3])
def test_a_width_below_1_is_a_value_error(width):
    with pytest.raises(ValueError):
        wrap_text("some words", width)
