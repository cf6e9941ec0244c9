import pytest
from roman import from_roman, to_roman

PAIRS = [(1, 'I'), (4, 'IV'), (9, 'IX'), (14, 'XIV'), (40, 'XL'), (90, 'XC'), (400, 'CD'), (944, 'CMXLIV'), (1994, 'MCMXCIV'), (2024, 'MMXXIV'), (3999, 'MMMCMXCIX'), (49, 'XLIX'), (444, 'CDXLIV')]


@pytest.mark.parametrize(("n", "numeral"), PAIRS)
def test_to_roman(n, numeral):
    assert to_roman(n) == numeral


@pytest.mark.parametrize(("n", "numeral"), PAIRS)
def test_from_roman(n, numeral):
    assert from_roman(numeral) == n


def test_every_number_round_trips():
    for n in range(1, 4000):
        assert from_roman(to_roman(n)) == n


@pytest.mark.parametrize("n", [0, 4000, -5])
def test_to_roman_rejects_numbers_out_of_range(n):
    with pytest.raises(ValueError):
        to_roman(n)


@pytest.mark.parametrize("text", ["", "IIII", "IC", "VX", "MMMM", "ABC", "IIX", "XXXX", "VV", "IM", "MCMC"])
def test_from_roman_rejects_what_is_not_a_standard_numeral(text):
    with pytest.raises(ValueError):
        from_roman(text)
