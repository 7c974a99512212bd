"""Sets and dicts that keep only their newest entries: what a process that never ends
(the monitor) remembers per article must not grow with every article it meets.

Forgetting is safe where these are used: an article forgotten and met again is asked
of the database (stored: not fetched again) or, at worst, fetched once more (the store
keeps one revision per content)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecentDict(dict[K, V], Generic[K, V]):
    """A dict that drops its oldest insertions beyond ``limit`` entries (setting a key
    again makes it the newest)."""

    def __init__(self, limit: int):
        super().__init__()
        self.limit = limit

    def __setitem__(self, key: K, value: V) -> None:
        super().pop(key, None)
        super().__setitem__(key, value)
        while len(self) > self.limit:
            del self[next(iter(self))]

    def setdefault(self, key: K, default: V) -> V:  # type: ignore[override]
        if key not in self:
            self[key] = default
        return self[key]


class RecentSet(Generic[K]):
    """A set that keeps only the ``limit`` newest members (``add``: newest again)."""

    def __init__(self, limit: int, members: Iterable[K] = ()):
        self._members: RecentDict[K, None] = RecentDict(limit)
        for member in members:
            self.add(member)

    def add(self, member: K) -> None:
        self._members[member] = None

    def discard(self, member: K) -> None:
        self._members.pop(member, None)

    def __contains__(self, member: object) -> bool:
        return member in self._members

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[K]:
        return iter(self._members)
