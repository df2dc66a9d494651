"""The campaign: a daily loop on a ledger (SPEC §10, 一天一上报、一天一调度、三天一通报).

A ledger (SQLite file or PostgreSQL URL) holds the county file, every worker and every
change to them, every plan version, the trips (published or not), boardings and
arrivals. Each function is one transaction: it records all or nothing.

    import charterplan.campaign as campaign

    campaign.init("county.db", county="county.json")
    campaign.intake("county.db", "day1.json", day=date(2020, 2, 20))
    result = campaign.plan("county.db", date(2020, 2, 20), out="out/day1")
    campaign.plan_folder("county.db", "out/day1")   # only after a plan killed late
    campaign.publish("county.db", "2020-02-21")
    campaign.board("county.db", "XH-0220-001", ["W1", "W2"])
    campaign.arrive("county.db", "XH-0220-001")
    campaign.trace("county.db", "W1")

Bad input raises :class:`CampaignError` (a ``ValueError``) naming where each problem is;
nothing is recorded then.
"""

from typing import TYPE_CHECKING

from charterplan.campaign.errors import CampaignError, LedgerBusyError

if TYPE_CHECKING:
    from charterplan.campaign.commands import (
        IntakeResult,
        PlanResult,
        arrive,
        board,
        init,
        intake,
        plan,
        plan_folder,
        publish,
    )
    from charterplan.campaign.replan import Change
    from charterplan.campaign.views import report, status, trace, worker_story

__all__ = ["CampaignError", "Change", "IntakeResult", "LedgerBusyError", "PlanResult",
           "arrive", "board", "init", "intake", "plan", "plan_folder", "publish", "report",
           "status", "trace", "worker_story"]

_HOMES = {"IntakeResult": "commands", "PlanResult": "commands", "arrive": "commands",
          "board": "commands", "init": "commands", "intake": "commands", "plan": "commands",
          "plan_folder": "commands",
          "publish": "commands", "Change": "replan", "report": "views", "status": "views",
          "trace": "views", "worker_story": "views"}


def __getattr__(name: str) -> object:
    # SQLAlchemy, Alembic and the planner load on first use, so the command line's
    # other commands (which import the campaign's errors) stay quick
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'charterplan.campaign' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"charterplan.campaign.{home}"), name)
