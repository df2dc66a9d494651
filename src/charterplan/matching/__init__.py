"""Job matching (两需求一贯通, SPEC §11): workers without an employer to vacancies.

``match(seekers, vacancies, policy)`` is the whole model on typed inputs; the table
readers and writers around it turn a registry and a demand table (附件5) into those
inputs and the answer into the registry with 返岗单位 filled, 附件3 and 附件6.
"""

from charterplan.matching.model import (
    Matching,
    MatchPolicy,
    Seeker,
    Unmatched,
    UnmatchedReason,
    Vacancy,
)
from charterplan.matching.solve import match

__all__ = [
    "MatchPolicy",
    "Matching",
    "Seeker",
    "Unmatched",
    "UnmatchedReason",
    "Vacancy",
    "match",
]
