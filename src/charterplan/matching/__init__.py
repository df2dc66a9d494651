"""Job matching (两需求一贯通, SPEC §11): workers without an employer to vacancies.

``match(seekers, vacancies, policy)`` is the whole model on typed inputs. Around it,
``match_tables(registry, demand, county)`` reads the registry (附件1), the demand
table (附件5, :func:`read_demand`) and the county file into those inputs, and
``write_match(result, folder)`` writes the registry with 返岗单位 filled, the county
file with the new employers, 附件3 and 附件6.
"""

from charterplan.matching.demand import DemandLine, read_demand
from charterplan.matching.model import (
    Matching,
    MatchPolicy,
    Seeker,
    Unmatched,
    UnmatchedReason,
    Vacancy,
)
from charterplan.matching.solve import match
from charterplan.matching.tables import TableMatch, match_tables
from charterplan.matching.write import write_match

__all__ = [
    "DemandLine",
    "MatchPolicy",
    "Matching",
    "Seeker",
    "TableMatch",
    "Unmatched",
    "UnmatchedReason",
    "Vacancy",
    "match",
    "match_tables",
    "read_demand",
    "write_match",
]
