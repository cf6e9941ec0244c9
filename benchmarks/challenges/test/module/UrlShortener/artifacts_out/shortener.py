import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


class UrlShortener:
    """Gives each URL a 6-character code and looks codes up again."""

    def __init__(self):
        self._by_code = {}
        self._by_url = {}

    def shorten(self, url):
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {url!r}")
        if url in self._by_url:
            return self._by_url[url]
        code = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        while code in self._by_code:
            code = "".join(secrets.choice(_ALPHABET) for _ in range(6))
        self._by_code[code] = url
        self._by_url[url] = code
        return code

    def expand(self, code):
        return self._by_code[code]
