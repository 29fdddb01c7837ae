"""Journey planning on the exact timetable: the stored timetable, timetable arrays, footpaths, RAPTOR and McRAPTOR.

``journeys`` may import ``fares`` (GTFS reading, the fare search interface),
``operators`` and ``core``; none of them imports ``journeys``.
"""
