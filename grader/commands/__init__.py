"""One module per `grader` subcommand. Each defines `HELP`, `add_arguments(parser)` and
`run(args) -> int`. The CLI imports a module only when its subcommand is used."""

#: Subcommand name -> module name under grader.commands, in the order `grader --help` lists them.
COMMANDS: dict[str, str] = {
    "release": "release",
    "autograde": "autograde",
    "collect": "collect",
    "check": "check",
    "report": "report",
    "similarity": "similarity",
    "examples": "examples",
    "datasets": "datasets",
    "lint": "lint",
    "docs": "docs",
    "demo": "demo",
    "nbgrader": "nbgrader",
    "course": "course",
    "gradescope": "gradescope",
    "translations": "translations",
}
