"""`grader datasets`: verify, draw or rebuild the toy datasets (the logic lives in toy2d)."""

from __future__ import annotations

import argparse
from pathlib import Path

from grader.errors import UsageError

HELP = "Verify the shipped toy datasets, draw their gallery, or regenerate them."

DEFAULT_GALLERY = Path("demo-output") / "datasets.png"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True,
                                    parser_class=type(parser))
    actions.add_parser("verify", help="check every data file against manifest.json "
                       "(checksum, sizes, class counts)")
    gallery = actions.add_parser("gallery", help="draw all datasets into one PNG")
    gallery.add_argument("--out", type=Path, default=DEFAULT_GALLERY, metavar="PATH",
                         help=f"where to write the PNG (default: {DEFAULT_GALLERY})")
    regenerate = actions.add_parser("regenerate", help="rebuild the data files and manifest "
                                    "from their fixed seeds (needs scikit-learn)")
    regenerate.add_argument("--check", action="store_true",
                            help="only rebuild in memory and report files that differ")


def _verify() -> int:
    from toy2d import generate

    verdicts = generate.verify()
    for verdict in verdicts:
        print(verdict.line())
    return 0 if all(v.ok for v in verdicts) else 1


def _gallery(out: Path) -> int:
    import toy2d

    print(toy2d.plot_gallery(out))
    return 0


def _regenerate(check_only: bool) -> int:
    try:
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise UsageError("regenerating the datasets needs scikit-learn, a dependency of the kit: "
                         "install the kit again (pip install -e .)") from exc
    from toy2d import generate

    if check_only:
        differ = generate.check()
        if differ:
            print(f"differ from a fresh rebuild: {', '.join(differ)}")
            return 1
        print("all data files and the manifest match a fresh rebuild")
        return 0
    for path in generate.write():
        print(path)
    return 0


def run(args: argparse.Namespace) -> int:
    if args.action == "verify":
        return _verify()
    if args.action == "gallery":
        return _gallery(args.out)
    return _regenerate(args.check)
