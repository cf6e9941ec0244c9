import re

import pytest
from shortener import UrlShortener


def test_a_code_is_six_letters_or_digits_and_expands_back():
    s = UrlShortener()
    code = s.shorten("https://example.com/a/very/long/path?with=query")
    assert isinstance(code, str) and re.fullmatch(r"[A-Za-z0-9]{6}", code)
    assert s.expand(code) == "https://example.com/a/very/long/path?with=query"


def test_the_same_url_gets_the_same_code():
    s = UrlShortener()
    assert s.shorten("http://example.org/x") == s.shorten("http://example.org/x")


def test_different_urls_get_different_codes():
    s = UrlShortener()
    urls = [f"https://example.com/page/{i}" for i in range(2000)]
    codes = [s.shorten(u) for u in urls]
    assert len(set(codes)) == len(urls)
    assert all(re.fullmatch(r"[A-Za-z0-9]{6}", c) for c in codes)
    assert [s.expand(c) for c in codes] == urls


def test_similar_urls_do_not_collide():
    s = UrlShortener()
    a, b = s.shorten("https://example.com/A"), s.shorten("https://example.com/a")
    assert a != b and s.expand(a) == "https://example.com/A" and s.expand(b) == "https://example.com/a"


def test_an_unknown_code_is_a_key_error():
    s = UrlShortener()
    s.shorten("https://example.com/")
    with pytest.raises(KeyError):
        s.expand("zzzzzz")


@pytest.mark.parametrize("url", ["example.com", "ftp://example.com/file", "", "www.example.com/https://"])
def test_a_url_that_is_not_http_is_a_value_error(url):
    with pytest.raises(ValueError):
        UrlShortener().shorten(url)
