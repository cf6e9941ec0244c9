"""Passes when total.txt holds exactly the expected number (spaces and a trailing newline allowed)."""
import sys
from pathlib import Path

path = Path("total.txt")
if not path.exists():
    print("FAIL: total.txt was not written")
    sys.exit(1)
text = path.read_text(encoding="utf-8", errors="replace").strip()
try:
    ok = abs(float(text) - 2111.37) < 1e-9
except ValueError:
    ok = False
print("PASS" if ok else f"FAIL: total.txt holds {text[:80]!r}, expected 2111.37")
sys.exit(0 if ok else 1)
