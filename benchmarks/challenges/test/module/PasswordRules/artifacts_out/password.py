import random
import string

SPECIAL = "!@#$%&*?"
_GROUPS = [string.ascii_lowercase, string.ascii_uppercase, string.digits, SPECIAL]
_rng = random.SystemRandom()


def generate_password(length=12):
    """A random password of length characters (8 to 32) with a lowercase and an uppercase letter, a digit and a
    special character from SPECIAL."""
    if not isinstance(length, int) or not 8 <= length <= 32:
        raise ValueError("length must be between 8 and 32")
    chars = [_rng.choice(group) for group in _GROUPS]
    everything = "".join(_GROUPS)
    chars += [_rng.choice(everything) for _ in range(length - len(chars))]
    _rng.shuffle(chars)
    return "".join(chars)
