"""Hidden tests of the course: for every assignment a package autograde_tests/<assignment>/ with
one spec module per notebook part under its specs/, and the modules all assignments share (the
engine, the contract, comparisons, inputs, probes, the reference loader, calibration).

Everything here runs in a grading process of the kit, never in a student's process; students
never receive this package.
"""
