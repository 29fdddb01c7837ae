"""GTFS: reading feeds, the network they describe, and their fares (v1 and v2)."""
