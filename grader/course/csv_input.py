"""Reading the small CSV files instructors write (roster, hand grades): one line per problem.

Spreadsheets save with a byte-order mark, padded cells and ragged rows; all of that is absorbed
here, and an unreadable file is one UsageError naming it, never a traceback.
"""

from __future__ import annotations

import csv
from pathlib import Path

from grader.errors import UsageError


def read_rows(path: Path, what: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header (stripped names) and every row as (line number, {column: stripped text}) of
    the CSV file `path`, `what` naming it in errors ("the roster")."""
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            rows = [(line, {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None})
                    for line, raw in enumerate(reader, start=2)]
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(f"{path}: not a CSV file ({exc})") from None
    return header, rows
