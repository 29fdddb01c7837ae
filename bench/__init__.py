"""Benchmarks. ``python -m bench`` runs them all; each prints a comparison measured in the same run."""
