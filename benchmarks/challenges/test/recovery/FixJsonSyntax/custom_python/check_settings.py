"""Checker: prints PASS when the workspace holds a correct answer, otherwise FAIL and why."""
import json
import os
import re
import sys


def numbers(text):
    """Every number in text (thousands separators and currency signs ignored)."""
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text.replace(",", ""))]


def read(name):
    if not os.path.isfile(name):
        raise AssertionError(f"{name} does not exist")
    with open(name, encoding="utf-8-sig", errors="replace") as fh:
        return fh.read()


def lines_of(name):
    """The non-empty lines of a file, stripped (CRLF and trailing spaces do not matter)."""
    return [line.strip() for line in read(name).splitlines() if line.strip()]


def unchanged(name, original):
    """The input file name still holds original (line endings and a final newline aside)."""
    text = read(name).replace("\r\n", "\n").rstrip("\n")
    assert text == original.rstrip("\n"), f"{name} was changed; it must keep its original content"


EXPECTED = {'app_name': 'ledger-sync', 'debug': False, 'server': {'host': '0.0.0.0', 'port': 8443, 'workers': 4}, 'database': {'host': 'db.internal', 'port': 5432, 'name': 'ledger'}, 'allowed_origins': ['https://ledger.example', 'https://admin.ledger.example'], 'retry_delays_s': [1, 2.5, 10]}


def check():
    try:
        data = json.loads(read("settings.json"))
    except ValueError as exc:
        raise AssertionError(f"settings.json is still not valid JSON: {exc}") from None
    assert data == EXPECTED, "settings.json does not keep exactly the settings and values it had"
    found = numbers(read("port.txt"))
    assert 8443 in found, f"port.txt does not give the server port 8443 (numbers found: {found})"
    assert 5432 not in found, "port.txt gives the database port 5432"


if __name__ == "__main__":
    try:
        check()
    except AssertionError as exc:
        print(f"FAIL: {exc}")
        sys.exit(1)
    except Exception as exc:  # a broken output file is a failed answer, not a crashed checker
        print(f"FAIL: {type(exc).__name__}: {exc}")
        sys.exit(1)
    print("PASS")
