"""Journey planning on the exact timetable: timetable arrays, footpaths, RAPTOR and McRAPTOR searches.

``journeys`` may import ``fares`` (GTFS reading, the fare search interface),
``operators`` and ``core``; none of them imports ``journeys``.
"""
