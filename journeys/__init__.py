"""Journey planning on the real timetable: the stored timetable, its model and the RAPTOR search."""
