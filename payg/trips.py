"""Trip reconstruction: one rider's taps, in time order, become legs; legs close in time become journeys.

Pairing, tap by tap:

* a tap-in opens a leg; an open leg that meets another tap-in never got its
  tap-out (``missing_tap_out``: priced by the maximum-fare rule);
* a tap-out on the open leg's route closes it; at the tap-in stop it is a
  cancelled ride (``cancelled``, no fare);
* a tap-out with no open leg on its route is kept as ``unmatched`` (no fare);
  an open leg on another route then also lost its tap-out.

A leg joins the journey before it when it is boarded within the transfer
window after the previous leg's tap-out (its tap-in, if the tap-out is
missing). A leg with a missing tap-out ends its journey.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from payg.models import TAP_IN


@dataclass(frozen=True, slots=True)
class TapRecord:
    """A stored tap, as the domain sees it."""

    device_id: str
    event_id: str
    kind: str
    route_id: str
    stop_id: str
    tapped_at: datetime


@dataclass(frozen=True, slots=True)
class RideLeg:
    route_id: str
    from_stop_id: str
    to_stop_id: str | None  # None: the tap-out is missing
    tap_in: datetime
    tap_out: datetime | None

    @property
    def missing_tap_out(self) -> bool:
        return self.to_stop_id is None

    @property
    def cancelled(self) -> bool:
        return self.to_stop_id == self.from_stop_id

    @property
    def ends(self) -> datetime:
        return self.tap_out or self.tap_in


@dataclass(frozen=True, slots=True)
class Journey:
    legs: tuple[RideLeg, ...]

    @property
    def start(self) -> datetime:
        return self.legs[0].tap_in


@dataclass(frozen=True, slots=True)
class Reconstruction:
    journeys: tuple[Journey, ...]
    cancelled: tuple[RideLeg, ...]
    unmatched_tap_outs: tuple[TapRecord, ...]


def _order(tap: TapRecord) -> tuple[datetime, int, str, str]:
    # At the same instant a tap-out closes the open leg before a tap-in opens the next.
    return tap.tapped_at, 0 if tap.kind != TAP_IN else 1, tap.device_id, tap.event_id


def pair_taps(taps: Sequence[TapRecord]) -> tuple[list[RideLeg], list[TapRecord]]:
    legs: list[RideLeg] = []
    unmatched: list[TapRecord] = []
    open_in: TapRecord | None = None
    for tap in sorted(taps, key=_order):
        if tap.kind == TAP_IN:
            if open_in is not None:
                legs.append(RideLeg(open_in.route_id, open_in.stop_id, None, open_in.tapped_at, None))
            open_in = tap
            continue
        if open_in is not None and open_in.route_id == tap.route_id:
            legs.append(RideLeg(open_in.route_id, open_in.stop_id, tap.stop_id, open_in.tapped_at, tap.tapped_at))
            open_in = None
            continue
        if open_in is not None:
            legs.append(RideLeg(open_in.route_id, open_in.stop_id, None, open_in.tapped_at, None))
            open_in = None
        unmatched.append(tap)
    if open_in is not None:
        legs.append(RideLeg(open_in.route_id, open_in.stop_id, None, open_in.tapped_at, None))
    return legs, unmatched


def join_journeys(legs: Sequence[RideLeg], transfer_window: timedelta) -> list[Journey]:
    journeys: list[list[RideLeg]] = []
    for leg in legs:
        if journeys:
            last = journeys[-1][-1]
            if not last.missing_tap_out and leg.tap_in - last.ends <= transfer_window:
                journeys[-1].append(leg)
                continue
        journeys.append([leg])
    return [Journey(tuple(group)) for group in journeys]


def reconstruct(taps: Sequence[TapRecord], transfer_window: timedelta) -> Reconstruction:
    legs, unmatched = pair_taps(taps)
    ridden = [leg for leg in legs if not leg.cancelled]
    return Reconstruction(tuple(join_journeys(ridden, transfer_window)),
                          tuple(leg for leg in legs if leg.cancelled), tuple(unmatched))
