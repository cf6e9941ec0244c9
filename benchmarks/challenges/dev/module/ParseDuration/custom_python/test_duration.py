import pytest
from duration import parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("1h30m", 5400),
        ("45s", 45),
        ("2h", 7200),
        ("90m", 5400),
        ("1h2m3s", 3723),
        ("2h5s", 7205),
        ("10m0s", 600),
        ("0s", 0),
        ("100h", 360000),
    ],
)
def test_valid_durations(text, seconds):
    result = parse_duration(text)
    assert result == seconds
    assert isinstance(result, int)


@pytest.mark.parametrize("text", ["", "abc", "5", "5x", "h", "1h1h", "30m1h", "1.5h", "-1h", "1h30"])
def test_invalid_durations_raise_value_error(text):
    with pytest.raises(ValueError):
        parse_duration(text)
