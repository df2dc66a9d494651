"""Crew on board: a captain and a deputy captain from each trip's passengers.

Volunteers (``captain_volunteer``) come first. Among equals, the rule prefers riders
who stay on board longest — those alighting at the last stop — because a captain
looks after the bus for the whole journey; then request order decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from charterplan.model import Worker

__all__ = ["choose_captains"]


def choose_captains(passengers: Sequence[str], stop_of: Mapping[str, int],
                    workers: Mapping[str, Worker], order: Mapping[str, int]) -> (
        tuple[str, str]):
    """(captain, deputy captain) among ``passengers`` (at least two).

    ``stop_of`` gives each passenger's drop-off position on the route, ``order`` each
    worker's position in the request.
    """
    ranked = sorted(passengers, key=lambda w: (
        not workers[w].captain_volunteer, -stop_of[w], order[w]))
    return ranked[0], ranked[1]
