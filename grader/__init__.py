"""nnkit grader: release, check and auto-grade the NumPy neural-network assignments."""

import sys

__version__ = "0.1.0"

# nbformat validates notebooks with jsonschema, which imports the optional `rfc3987_syntax`
# package when it is installed (a jupyter dependency pulls it in) and builds dozens of parser
# grammars at import: measured 1.3-8 s per process here. Notebook schemas never use the IRI
# formats it adds, and jsonschema skips them when the import fails, so grader processes (the CLI
# and every grading process) make it fail fast. Set before anything imports jsonschema.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
