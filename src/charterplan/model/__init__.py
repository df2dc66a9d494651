"""Typed, frozen data of charterplan: the request, the policy and the plan."""

from charterplan.model.plan import (
    Convoy,
    Plan,
    PlanStatus,
    Reason,
    ReportTable,
    Stop,
    Summary,
    Trip,
    Unassigned,
)
from charterplan.model.policy import Policy
from charterplan.model.request import (
    BusType,
    Destination,
    Health,
    HealthStatus,
    Hub,
    PickupPoint,
    PlanRequest,
    RailService,
    RailStop,
    Staff,
    Worker,
    request_problems,
)

__all__ = [
    "BusType",
    "Convoy",
    "Destination",
    "Health",
    "HealthStatus",
    "Hub",
    "PickupPoint",
    "Plan",
    "PlanRequest",
    "PlanStatus",
    "Policy",
    "RailService",
    "RailStop",
    "Reason",
    "ReportTable",
    "Staff",
    "Stop",
    "Summary",
    "Trip",
    "Unassigned",
    "Worker",
    "request_problems",
]
