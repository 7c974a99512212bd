"""A running replica's state: its request log (``LoggedRequest``), and what it
changed in its site: the articles and the breaking ticker it
serves, when they differ from the truth in ``content``.

``ReplicaServer`` sets these context variables around each rendering (so two servers
in one process, and tests in between, never see each other's changes); the renderers
read them through ``content.articles()`` and ``layout.header()``. None: the truth.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

ARTICLES: ContextVar[list[dict] | None] = ContextVar("replica_articles", default=None)
BREAKING: ContextVar[list[str] | None] = ContextVar("replica_breaking", default=None)
# Main-menu items a server adds before LIVE (``js_pages``: its "Latest" section).
EXTRA_MENU: ContextVar[str] = ContextVar("replica_extra_menu", default="")


@dataclass
class LoggedRequest:
    """One request the server answered (also readable as ``record["path"]``)."""
    method: str
    path: str                       # as requested, query included
    status: int
    user_agent: str | None
    headers: dict[str, str] = field(default_factory=dict)
    time: float = 0.0

    def __getitem__(self, name: str):
        return getattr(self, name)
