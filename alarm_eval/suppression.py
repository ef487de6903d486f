"""Composite alarm actions suppression ("Create a composite alarm", "Composite alarm action suppression":
WaitPeriod and ExtensionPeriod, and its six examples).

- While the suppressor alarm is in ALARM the composite takes no actions.
- A composite state change starts a WaitPeriod (discarding a running WaitPeriod or ExtensionPeriod): actions wait
  for it; if the suppressor goes to ALARM meanwhile the WaitPeriod is discarded and the actions stay suppressed.
- When the suppressor leaves ALARM an ExtensionPeriod starts; actions stay suppressed until it ends.
- "Composite alarms take actions that are based on their current states when ExtensionPeriod and WaitPeriod become
  inactive": when a period ends and a state change is still waiting for its actions, the composite takes the
  actions of its current state. Assumption: only then (an expiring period without a deferred change does nothing).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Suppression:
    wait: float
    extension: float
    suppressor_in_alarm: bool = False
    wait_until: float | None = None
    extension_until: float | None = None
    pending: bool = False  # a state change whose actions were deferred

    def on_composite_change(self, t: float) -> str | None:
        """None: act now. Otherwise why the actions are deferred: ``Alarm`` or ``WaitPeriod``."""
        self.extension_until = None
        if self.suppressor_in_alarm:
            self.wait_until = None
            self.pending = True
            return "Alarm"
        if self.wait <= 0:
            self.wait_until = None
            self.pending = False  # acting now covers any change deferred before
            return None
        self.wait_until = t + self.wait
        self.pending = True
        return "WaitPeriod"

    def on_suppressor_change(self, t: float, in_alarm: bool) -> bool:
        """True when the composite should act now (the suppressor left ALARM with no ExtensionPeriod)."""
        was = self.suppressor_in_alarm
        self.suppressor_in_alarm = in_alarm
        if in_alarm:
            self.wait_until = self.extension_until = None
            return False
        if was:
            if self.extension > 0:
                self.extension_until = t + self.extension
                return False
            return self._release()
        return False

    def next_expiry(self) -> float | None:
        times = [x for x in (self.wait_until, self.extension_until) if x is not None]
        return min(times) if times else None

    def expire(self, t: float) -> bool:
        """Ends the periods due at ``t``; True when the composite should act now."""
        ended = False
        if self.wait_until is not None and self.wait_until <= t:
            self.wait_until, ended = None, True
        if self.extension_until is not None and self.extension_until <= t:
            self.extension_until, ended = None, True
        if ended and self.wait_until is None and self.extension_until is None and not self.suppressor_in_alarm:
            return self._release()
        return False

    def _release(self) -> bool:
        acted, self.pending = self.pending, False
        return acted

    @property
    def suppressed_by(self) -> str | None:
        if self.suppressor_in_alarm:
            return "Alarm"
        if self.wait_until is not None:
            return "WaitPeriod"
        if self.extension_until is not None:
            return "ExtensionPeriod"
        return None
