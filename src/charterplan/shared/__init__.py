"""The machinery every stage builds on, below the steps of :mod:`charterplan.stages`.

- :mod:`.context` — what is derived from the request once: the clock, places and road
  km, hubs' slot grids, the rail network, the driving rules.
- :mod:`.driving` — the coach driving rules: when a bus that leaves at a minute reaches
  each stop.
- :mod:`.routes` — a bus's route: its stops in order, length and timing; feeder routes.
- :mod:`.railnet` — rail services, and which stops serve which destinations.
- :mod:`.units` — the data handed down the chain: units of riders, areas, rail riders.
- :mod:`.waves` — the departure waves of an area and the demands of the assignment model.
- :mod:`.packing` — buses with named riders, from the model's counts.
- :mod:`.runner` — how work is mapped over areas (in order, in processes, on Dask).
"""
