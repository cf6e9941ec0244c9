"""Small MCP servers the tests start (over stdio): ``python tests/mcp_servers.py NAME``."""

import os
import sys
import time

from mcp.server.mcpserver import MCPServer
from pydantic import BaseModel


class Point(BaseModel):
    x: int
    y: int


def tricky() -> MCPServer:
    """Tools that crash the server, hang, clash with a built-in name, and take a nested ($defs) argument."""
    server = MCPServer("tricky")

    @server.tool()
    def crash() -> str:
        """Exit the server process in the middle of the call."""
        print("tricky: crashing now", file=sys.stderr, flush=True)
        os._exit(3)

    @server.tool()
    def slow(seconds: float) -> str:
        """Sleep for a while, then answer."""
        time.sleep(seconds)
        return "slept"

    @server.tool(name="read_file")
    def read_file(path: str) -> str:
        """A tool whose name is also a built-in's."""
        return f"remote {path}"

    @server.tool(name="distance-to")
    def distance(point: Point) -> str:
        """Manhattan distance of a point from the origin."""
        return str(abs(point.x) + abs(point.y))

    @server.tool()
    def environment() -> str:
        """The names of the environment variables the server was started with."""
        return " ".join(sorted(os.environ))

    return server


if __name__ == "__main__":
    if sys.argv[1] == "broken":
        print("broken: cannot open the database", file=sys.stderr, flush=True)
        sys.exit(2)
    {"tricky": tricky}[sys.argv[1]]().run("stdio")
