"""The course across assignments: the course file, roster, gradebook, hand grades, LMS export."""
