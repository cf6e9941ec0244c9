import pytest
from idcard import check_digit, is_valid

PAIRS = [('11010519491231002', 'X'), ('45333147893288040', '8'), ('72386255118487333', '8'), ('11387981135119718', '1'), ('14781580699833976', 'X'), ('26000705614897071', '2'), ('24810756900720031', '1'), ('71671234312220038', '7'), ('69967849179648447', '5'), ('30971002011831621', '0'), ('64778636441855345', '6'), ('78688646841412250', '3')]
VALID = ['11010519491231002X', '453331478932880408', '723862551184873338', '113879811351197181', '14781580699833976X', '260007056148970712', '248107569007200311', '716712343122200387', '699678491796484475', '309710020118316210', '647786364418553456', '786886468414122503']
INVALID = ['453331478932880407', '7238625511848733', '1138798113511971810', '1101051949123100AX', '14781580699833976Y', '', '11010519491231002 ']


@pytest.mark.parametrize(("first17", "digit"), PAIRS)
def test_check_digit(first17, digit):
    assert check_digit(first17) == digit


@pytest.mark.parametrize("id_number", VALID)
def test_valid_numbers(id_number):
    assert is_valid(id_number) is True


def test_a_lowercase_x_is_valid_too():
    assert is_valid("11010519491231002x") is True


@pytest.mark.parametrize("id_number", INVALID)
def test_invalid_numbers(id_number):
    assert is_valid(id_number) is False


@pytest.mark.parametrize("bad", ["1234567890123456", "123456789012345678", "1101051949123100A", ""])
def test_check_digit_rejects_what_is_not_17_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)
