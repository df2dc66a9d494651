"""The routing step alone on CVRP instances from the literature (issue 4)."""
