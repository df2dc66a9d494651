"""The steps of the plan, in the order :func:`charterplan.plan` runs them.

1. :mod:`.s1_eligibility` — who may travel, from which hub, in which window.
2. :mod:`.s2_areas` — destinations grouped into independent areas, with their routes.
3. :mod:`.s3_assign` — which units ride which bus (or train) on which day (CP-SAT).
4. :mod:`.s4_rail` — train riders seated in carriages, feeder buses to the station.
5. :mod:`.s5_merge` — half-empty buses of neighbouring areas merged.
6. :mod:`.s6_timetable` — departure slots and convoys; :mod:`.s6_pickups` — door to
   door: buses calling at pickup points, county feeders (接驳车) to the hub.
7. :mod:`.s7_staffing` — an escort and a medic for every trip.
8. :mod:`.s8_assemble` — trips, captains, convoys, summary: the plan.

Each step is a function of the request's context and earlier steps' results; a step
imports only the steps before it. The machinery they share is in
:mod:`charterplan.shared`; the loops that run the chain again in :mod:`charterplan.replan`.
"""
