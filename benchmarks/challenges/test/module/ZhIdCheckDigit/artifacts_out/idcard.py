WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CODES = "10X98765432"


def check_digit(first17):
    """The check character of an 18-digit ID number from its first 17 digits."""
    if not isinstance(first17, str) or len(first17) != 17 or not all(c in "0123456789" for c in first17):
        raise ValueError("expected 17 digits")
    return CODES[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def is_valid(id_number):
    if not isinstance(id_number, str) or len(id_number) != 18:
        return False
    try:
        return check_digit(id_number[:17]) == id_number[17].upper()
    except ValueError:
        return False
