"""Generated county requests for examples, tests and benchmarks (fake people, real places).

``generate_request(workers, days, seed)`` makes a request as a dict; ``write_sample``
writes one as the registry table and county file a county office keeps. The committed
sample in ``data/sample/`` is made with them (its README gives the command).
"""

from charterplan.samples.generate import RAIL_LINES, Place, RailLine, generate_request, load_places
from charterplan.samples.registry import (
    county_data,
    county_toml,
    registry_rows,
    write_registry,
    write_sample,
)

__all__ = ["RAIL_LINES", "Place", "RailLine", "county_data", "county_toml", "generate_request",
           "load_places", "registry_rows", "write_registry", "write_sample"]
