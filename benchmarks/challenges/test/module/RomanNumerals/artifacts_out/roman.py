_VALUES = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
           (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


def to_roman(n):
    """The standard Roman numeral of n, for 1 <= n <= 3999."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 3999:
        raise ValueError(f"cannot write {n!r} as a Roman numeral")
    out = []
    for value, letters in _VALUES:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def from_roman(s):
    """The value of a standard Roman numeral in capital letters; ValueError for anything else."""
    total, i = 0, 0
    if not isinstance(s, str) or not s:
        raise ValueError(f"not a Roman numeral: {s!r}")
    for value, letters in _VALUES:
        while s.startswith(letters, i):
            total += value
            i += len(letters)
    if i != len(s) or not 1 <= total <= 3999 or to_roman(total) != s:
        raise ValueError(f"not a standard Roman numeral: {s!r}")
    return total
