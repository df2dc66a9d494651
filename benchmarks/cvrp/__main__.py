"""``python -m benchmarks.cvrp``: see :mod:`benchmarks.cvrp.run`."""

from benchmarks.cvrp.run import main

if __name__ == "__main__":
    raise SystemExit(main())
