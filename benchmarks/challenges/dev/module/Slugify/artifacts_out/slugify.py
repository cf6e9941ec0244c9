import re


def slugify(text: str) -> str:
    """Lowercase; keep a-z and 0-9; every other run of characters becomes one hyphen; none at the ends."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
