"""What a regular install carries (the rest of the metadata is in pyproject.toml).

A regular install (`pip install <clone>[instructor]`, or the wheel) is the whole kit: nothing is
listed by hand, so a new assignment, spec module or data file is in the wheel without an edit here.

- every package of the grader, of the public contract (nnkit_contract) and of the hidden tests,
  found by setuptools' package discovery;
- `toy2d`: the datasets/ folder and its loader, under a name that cannot shadow other packages
  called "datasets" in an instructor's environment;
- `nnkit_course`: the course itself as package data (solutions/ with course.json, the releases
  in assignments/, the example classes in examples/), which grader/paths.py serves as "the course
  installed with the kit" when no checkout is at hand.

tests/test_packaging.py builds the wheel, installs it into a fresh environment outside the
checkout and runs every assignment from it.
"""

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

#: The kit's own Python packages (each folder with an __init__.py below these).
KIT_PACKAGES = ("grader", "autograde_tests", "nnkit_contract")
#: The course folders a regular install carries, each file under them as package data.
COURSE_FOLDERS = ("solutions", "assignments", "examples")
#: Never shipped: interpreter caches and editor leftovers.
NEVER = ["**/__pycache__/*", "**/*.pyc", "**/.ipynb_checkpoints/*"]



class BuildPy(build_py):
    """nnkit_course is data only: the top level of the checkout is its folder, and no module
    there (this file) belongs in the wheel."""

    def find_package_modules(self, package, package_dir):
        return [] if package == "nnkit_course" else super().find_package_modules(package, package_dir)


setup(
    cmdclass={"build_py": BuildPy},
    packages=[*find_packages(include=[p for name in KIT_PACKAGES for p in (name, f"{name}.*")]),
              "toy2d", "nnkit_course"],
    package_dir={"toy2d": "datasets", "nnkit_course": "."},
    package_data={
        "grader": ["templates/*"],
        "autograde_tests": ["**/*.json"],
        "nnkit_contract": ["locale/*"],   # the message catalogs (docs/translating.md)
        "toy2d": ["data/*.npz", "manifest.json"],
        "nnkit_course": [f"{folder}/**/*" for folder in COURSE_FOLDERS],
    },
    exclude_package_data={"": NEVER},
)
