"""What every request to one online geocoder passes through, once per process and endpoint: the
spacing between requests, the wait a 429 asks for, the pause after a failure, the stop after a 403,
and the queries in flight (so that two callers asking the same thing make one request).

    >>> gate = gate_for("https://nominatim.openstreetmap.org", min_delay=1.0)
    >>> gate.wait()          # returns at once the first time, then 1 s after the previous request

The clock and the sleep are injectable (tests advance a fake clock when the gate sleeps). Gates are
process-wide on purpose: the usage policy of a public server counts requests per application, not
per dashboard session; `gate_for` keeps one per (endpoint, clock, sleep).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

Clock = Callable[[], float]
Sleep = Callable[[float], None]


class Gate:
    """The politeness state of one endpoint (see the module docstring)."""

    def __init__(self, min_delay: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> None:
        self.min_delay = float(min_delay)
        self.clock = clock
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_at = float("-inf")      # no request before this (spacing, Retry-After)
        self.paused_until = float("-inf")  # after a failure: callers skip the endpoint until then
        self.blocked = ""                  # why the endpoint refused us (403): no request for the session
        self.sent = 0                      # requests let through
        self.inflight: dict[str, Future] = {}
        self.inflight_lock = threading.Lock()

    def wait(self) -> float:
        """Block until a request may go, count it, and return the clock's time when it goes."""
        with self._lock:
            now = self.clock()
            while now < self._next_at:
                self.sleep(self._next_at - now)
                now = self.clock()
            self._next_at = now + self.min_delay
            self.sent += 1
            return now

    def hold(self, seconds: float) -> None:
        """No request for `seconds` from now (what a 429's Retry-After asks), nor sooner than the spacing."""
        with self._lock:
            self._next_at = max(self._next_at, self.clock() + max(0.0, seconds))

    def pause(self, seconds: float) -> None:
        """Callers skip the endpoint for `seconds` (after a timeout, a 5xx, a malformed answer)."""
        self.paused_until = max(self.paused_until, self.clock() + max(0.0, seconds))

    def paused_for(self) -> float:
        """Seconds left in the pause (0 when none)."""
        return max(0.0, self.paused_until - self.clock())

    def raise_delay(self, min_delay: float) -> None:
        """Never less spacing than any user of the endpoint asked for."""
        with self._lock:
            self.min_delay = max(self.min_delay, float(min_delay))


_GATES: dict[tuple[str, Clock, Sleep], Gate] = {}
_GATES_LOCK = threading.Lock()


def gate_for(endpoint: str, min_delay: float, *, clock: Clock = time.monotonic, sleep: Sleep = time.sleep) -> Gate:
    """The process's gate for `endpoint` (created on first use; its spacing is the largest asked)."""
    key = (endpoint, clock, sleep)
    with _GATES_LOCK:
        gate = _GATES.get(key)
        if gate is None:
            gate = _GATES[key] = Gate(min_delay, clock=clock, sleep=sleep)
    gate.raise_delay(min_delay)
    return gate
