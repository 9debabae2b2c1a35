"""What an export or import mapped, and how: every setting is counted exactly once, never silently dropped.

Each setting is ``exact`` (the same value, or a conversion that is exact), ``converted`` (a stated approximation:
a pan law compensated, an envelope resampled into breakpoints), or ``unmapped`` (named, with the reason).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

STATUSES = ("exact", "converted", "unmapped")


@dataclass(frozen=True)
class Item:
    """One setting: where it lives (``tracks[2].pan``), its status and a note."""

    key: str
    status: str
    note: str = ""


@dataclass
class MappingReport:
    """The mapping of one session to (or from) one format."""

    format: str
    direction: str                                # "export" or "import"
    items: list[Item] = field(default_factory=list)

    def add(self, key: str, status: str = "exact", note: str = "") -> None:
        """Count the setting ``key`` as ``status`` (exact, converted or unmapped)."""
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}; got {status!r}")
        self.items.append(Item(key, status, note))

    def count(self, status: str) -> int:
        """How many settings have ``status``."""
        return sum(1 for i in self.items if i.status == status)

    @property
    def exact_fraction(self) -> float:
        """Share (0..1) of the settings that map exactly."""
        return self.count("exact") / len(self.items) if self.items else 1.0

    @property
    def unmapped(self) -> list[Item]:
        """The settings the format could not carry."""
        return [i for i in self.items if i.status == "unmapped"]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (what the JSON beside the output holds)."""
        return {"format": self.format, "direction": self.direction, "settings": len(self.items),
                "exact": self.count("exact"), "converted": self.count("converted"),
                "unmapped": self.count("unmapped"), "exact_fraction": round(self.exact_fraction, 4),
                "items": [{"key": i.key, "status": i.status, "note": i.note} for i in self.items]}
