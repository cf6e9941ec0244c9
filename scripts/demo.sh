#!/usr/bin/env bash
# Install everything, then let the agent reach a real goal with the embedded model: no API key, no network.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
echo "==> Running the agent"
exec .venv/bin/autogpt run \
  --name "Writer" \
  --role "an AI assistant that writes clear, accurate short texts" \
  --goal "Write a short blog post (a title and three short paragraphs) about AI agents to post.md" \
  --goal "Then finish" \
  --continuous --max-steps 8 "$@"
