"""Optimisation models: the only package that imports OR-Tools."""
