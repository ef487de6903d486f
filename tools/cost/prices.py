"""The price table (tools/prices.json): every price is data with its source, the date it was read and how
sure it is."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

PRICES = Path(__file__).resolve().parents[1] / "prices.json"
STATUSES = ("aws", "secondary", "unverified")


@dataclass
class Prices:
    doc: dict

    @classmethod
    def load(cls, path: Path | str = PRICES) -> Prices:
        prices = cls(json.loads(Path(path).read_text()))
        prices.check()
        return prices

    def check(self) -> None:
        """Every entry has a unit, a source, the date it was read and a status."""
        for kind in ("prices", "free_tier"):
            for key, entry in self.doc[kind].items():
                missing = [f for f in ("unit", "source", "read", "status") if f not in entry]
                if missing:
                    raise ValueError(f"{kind}.{key} lacks {', '.join(missing)}")
                if entry["status"] not in STATUSES:
                    raise ValueError(f"{kind}.{key}: status must be one of {STATUSES}; got {entry['status']!r}")
                if kind == "prices" and "price" not in entry and "tiers" not in entry:
                    raise ValueError(f"prices.{key} has neither price nor tiers")

    @property
    def hours(self) -> float:
        return float(self.doc["hours_per_month"])

    @property
    def days(self) -> float:
        return float(self.doc["days_per_month"])

    def entry(self, key: str) -> dict:
        return self.doc["prices"][key]

    def unit_price(self, key: str) -> float:
        """The price of one unit (the first tier's for a tiered price)."""
        e = self.entry(key)
        return float(e["price"]) if "price" in e else float(e["tiers"][0]["price"])

    def tiered(self, key: str, units: float) -> float:
        """The cost of `units` at a tiered price (linear when the entry has one price)."""
        e = self.entry(key)
        if "tiers" not in e:
            return units * float(e["price"])
        total, lower = 0.0, 0.0
        for tier in e["tiers"]:
            upper = float("inf") if tier["up_to"] is None else float(tier["up_to"])
            if units <= lower:
                break
            total += (min(units, upper) - lower) * float(tier["price"])
            lower = upper
        return total

    def pool(self, key: str) -> str | None:
        return self.entry(key).get("free_pool")

    def free(self, pool: str) -> float:
        return float(self.doc["free_tier"][pool]["amount"])

    def free_entry(self, pool: str) -> dict:
        return self.doc["free_tier"][pool]

    def not_verified(self) -> list[tuple[str, str, str]]:
        """(key, status, source) of every price or allowance not read on an AWS page."""
        out = []
        for kind in ("prices", "free_tier"):
            for key, e in self.doc[kind].items():
                if e["status"] != "aws":
                    out.append((f"{kind}.{key}", e["status"], e["source"]))
        return out
