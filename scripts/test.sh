#!/usr/bin/env bash
# Install everything (as scripts/install.sh), then run the whole test suite, the real-model test included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "==> Running the tests"
exec .venv/bin/python -m pytest -q "$@"
