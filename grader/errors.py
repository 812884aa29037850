"""The one exception type that the CLI turns into a single clear line and a non-zero exit."""


class UsageError(Exception):
    """A problem the user can fix (bad path, bad notebook, bad flag); shown as one line."""
