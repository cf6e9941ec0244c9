"""An offline MCP server with a team's notes: a small example of tools an agent gets from outside.

    autogpt run --mcp "python examples/mcp/notes_server.py" --goal "Find the note about the office Wi-Fi and write its password to wifi.txt"
    autogpt mcp list --mcp "python examples/mcp/notes_server.py"

Over stdio by default (the agent starts it); ``--http PORT`` serves streamable HTTP on 127.0.0.1 instead.
Notes live in memory, seeded with a few; ``--file notes.json`` keeps them in a JSON file
(``{"title": "text", ...}``). Needs the ``mcp`` package (``pip install 'autogpt[mcp]'``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

SEED = {
    "office wifi": "The office Wi-Fi network is 'Harbor-5G'; its password is kelp-42-anchor.",
    "support hours": "The support desk answers from 09:00 to 18:00 (UTC+8), Monday to Friday; refunds take 7 working days.",
    "release checklist": "Before a release: run the tests, update CHANGELOG.md, tag vX.Y.Z, then announce in #releases.",
    "团队午餐": "每周五中午 12:30 团队聚餐，地点在三楼的湘菜馆。",
}


class Notes:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.notes = dict(SEED)
        if path is not None and path.exists():
            self.notes = {str(k): str(v) for k, v in json.loads(path.read_text(encoding="utf-8")).items()}

    def save(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps(self.notes, ensure_ascii=False, indent=2), encoding="utf-8")


def build(notes: Notes) -> MCPServer:
    server = MCPServer("notes", instructions="A team's shared notes: search them, read one, add one.")

    @server.tool()
    def search_notes(query: str) -> str:
        """Search the team's notes; returns the titles and texts of the notes that mention any word of the query."""
        words = [w for w in query.lower().replace("-", " ").split() if len(w) > 1] or [query.lower()]
        found = [f"{title}: {text}" for title, text in notes.notes.items()
                 if any(w in f"{title} {text}".lower() for w in words)]
        return "\n".join(found) if found else f"No note mentions {query!r}. Titles: {', '.join(notes.notes)}."

    @server.tool()
    def read_note(title: str) -> str:
        """Read one note by its title."""
        if title not in notes.notes:
            raise ToolError(f"There is no note titled {title!r}. Titles: {', '.join(notes.notes)}.")
        return notes.notes[title]

    @server.tool()
    def add_note(title: str, text: str) -> str:
        """Add a note (or replace the note with that title)."""
        notes.notes[title] = text
        notes.save()
        return f"Saved the note {title!r}."

    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--http", type=int, metavar="PORT", help="serve streamable HTTP on 127.0.0.1:PORT/mcp")
    parser.add_argument("--file", type=Path, help="keep the notes in this JSON file")
    args = parser.parse_args()
    server = build(Notes(args.file))
    if args.http:
        server.run("streamable-http", host="127.0.0.1", port=args.http)
    else:
        server.run("stdio")


if __name__ == "__main__":
    sys.exit(main())
