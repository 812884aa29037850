"""Regenerate the shipped datasets (``data/<name>.npz``) and ``manifest.json`` from fixed seeds.

    python -m toy2d.generate           # rewrite every data file and the manifest
    python -m toy2d.generate --check   # rebuild in memory; exit 1 if anything shipped differs

Every dataset is built from its own seed with ``numpy.random.RandomState`` (whose random
streams NumPy keeps stable across releases); moons, circles and blobs come from scikit-learn's
generators (install the ``datasets`` extra), the other three from NumPy alone. The result is
rounded to 6 decimals so that last-bit differences in the maths libraries of other platforms
do not change the stored numbers.

The ``.npz`` files are written byte-for-byte reproducibly: an uncompressed zip with fixed
timestamps and attributes (``numpy.savez`` would stamp the current time into the archive).

`verify` (used by ``grader datasets verify``) checks the shipped files against the manifest and
needs neither scikit-learn nor a rebuild.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import DATASETS

#: The package folder; data files live in ``PACKAGE_DIR / "data"``.
PACKAGE_DIR = Path(__file__).resolve().parent
MANIFEST_NAME = "manifest.json"
KEYS = ("X_train", "y_train", "X_test", "y_test")
#: Fraction of every class that goes to the test set.
TEST_FRACTION = 1 / 3
#: Decimals kept in the stored features.
DECIMALS = 6
# Timestamp stored for every member of the zip archives (the earliest a zip can hold).
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)

Rng = np.random.RandomState


# --------------------------------------------------------------------------------------------
# The six datasets. Each builder returns standard-scale points X (N, 2) and labels y (N,);
# `Spec.scale` and `Spec.offset` then move them to their raw, unstandardized coordinates.
# --------------------------------------------------------------------------------------------

def _moons(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    return make_moons(n_samples=600, noise=0.1, random_state=rng)


def _circles(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_circles

    return make_circles(n_samples=600, factor=0.5, noise=0.08, random_state=rng)


def _spirals(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """Three arms, 200 points each, turning 1.5 times while the radius grows from 0.15 to 1."""
    per_arm, arms, turns = 200, 3, 1.5
    parts, labels = [], []
    for arm in range(arms):
        t = rng.uniform(0.0, 1.0, size=per_arm)
        radius = 0.15 + 0.85 * t
        angle = 2 * np.pi * (arm / arms + turns * t)
        points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
        parts.append(points + rng.normal(scale=0.035, size=points.shape))
        labels.append(np.full(per_arm, arm))
    return np.concatenate(parts), np.concatenate(labels)


def _xor(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clusters of 150 points at (+-1, +-1); the two diagonals form the two classes."""
    per_cluster, spread = 150, 0.3
    parts, labels = [], []
    for cx, cy in ((1, 1), (-1, -1), (1, -1), (-1, 1)):
        parts.append(np.array([cx, cy]) + rng.normal(scale=spread, size=(per_cluster, 2)))
        labels.append(np.full(per_cluster, 0 if cx == cy else 1))
    return np.concatenate(parts), np.concatenate(labels)


def _blobs(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_blobs

    centers = [(-3.0, 3.0), (3.0, 4.0), (-2.0, -4.0), (4.0, -3.0)]
    return make_blobs(n_samples=[150] * 4, centers=centers, cluster_std=1.0, random_state=rng)


def _grid(rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """A 24 x 24 lattice on the unit square, cut into 3 x 3 regions of 8 x 8 points.

    Class = 3 * (region row) + (region column), counted from the bottom-left, so 9 classes of
    64 points each. No noise: the points are exactly the lattice points.
    """
    side, regions = 24, 3
    index = np.arange(side)
    col, row = np.meshgrid(index, index)  # (side, side) each
    coords = index / (side - 1)
    X = np.column_stack([coords[col.ravel()], coords[row.ravel()]])
    per_region = side // regions
    y = regions * (row.ravel() // per_region) + col.ravel() // per_region
    return X, y


@dataclass(frozen=True)
class Spec:
    """How one dataset is built: seed, builder and the affine map to raw coordinates."""

    seed: int
    build: Callable[[Rng], tuple[np.ndarray, np.ndarray]]
    scale: tuple[float, float]
    offset: tuple[float, float]


SPECS: dict[str, Spec] = {
    "moons": Spec(1101, _moons, scale=(3.0, 6.0), offset=(10.0, -2.0)),
    "circles": Spec(1102, _circles, scale=(0.4, 2.5), offset=(-3.0, 5.0)),
    "spirals": Spec(1103, _spirals, scale=(4.0, 0.5), offset=(-6.0, 8.0)),
    "xor": Spec(1104, _xor, scale=(12.0, 0.3), offset=(50.0, 2.0)),
    "blobs": Spec(1105, _blobs, scale=(0.1, 3.0), offset=(4.0, -10.0)),
    "grid": Spec(1106, _grid, scale=(20.0, 8.0), offset=(-5.0, 3.0)),
}
assert tuple(SPECS) == DATASETS


# --------------------------------------------------------------------------------------------
# Building, splitting and serializing.
# --------------------------------------------------------------------------------------------

def _test_quota(counts: np.ndarray, n_test: int) -> np.ndarray:
    """Split `n_test` test points over the classes in proportion to `counts` (largest remainder;
    ties go to the lower class label)."""
    exact = counts * (n_test / counts.sum())
    quota = np.floor(exact).astype(np.int64)
    short = n_test - int(quota.sum())
    order = np.argsort(-(exact - quota), kind="stable")
    quota[order[:short]] += 1
    return quota


def stratified_split(y: np.ndarray, rng: Rng) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test), each shuffled, with 1/3 of every class in the test set."""
    classes, counts = np.unique(y, return_counts=True)
    quota = _test_quota(counts, round(len(y) * TEST_FRACTION))
    train, test = [], []
    for k, n_test in zip(classes, quota, strict=True):
        rows = rng.permutation(np.flatnonzero(y == k))
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    train_rows, test_rows = np.concatenate(train), np.concatenate(test)
    return train_rows[rng.permutation(len(train_rows))], test_rows[rng.permutation(len(test_rows))]


def build(name: str, seed: int | None = None) -> dict[str, np.ndarray]:
    """The four arrays of dataset `name` (keys `KEYS`): exactly as shipped, or, with another
    `seed`, a fresh draw from the same distribution, scaled and split the same way (the grader
    trains student networks on fresh draws that students cannot hold in advance)."""
    spec = SPECS[name]
    rng = Rng(spec.seed if seed is None else seed)
    X, y = spec.build(rng)
    X = np.round(np.asarray(X, dtype=np.float64) * spec.scale + spec.offset, DECIMALS)
    y = np.asarray(y, dtype=np.int64)
    train, test = stratified_split(y, rng)
    arrays = {
        "X_train": np.ascontiguousarray(X[train], dtype="<f8"),
        "y_train": np.ascontiguousarray(y[train], dtype="<i8"),
        "X_test": np.ascontiguousarray(X[test], dtype="<f8"),
        "y_test": np.ascontiguousarray(y[test], dtype="<i8"),
    }
    seen = {row.tobytes() for row in arrays["X_train"]}
    if seed is None and any(row.tobytes() in seen for row in arrays["X_test"]):
        raise RuntimeError(f"{name}: a test point equals a training point; change the seed")
    return arrays


def draw(name: str, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(X_train, y_train, X_test, y_test) of a fresh draw of dataset `name`, raw coordinates."""
    arrays = build(name, seed)
    return arrays["X_train"], arrays["y_train"], arrays["X_test"], arrays["y_test"]


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """An ``.npz`` archive (readable by ``numpy.load``) whose bytes depend only on `arrays`."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for key in KEYS:
            member = io.BytesIO()
            np.lib.format.write_array(member, arrays[key], version=(1, 0), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, member.getvalue())
    return buffer.getvalue()


def _class_counts(y: np.ndarray, k: int) -> list[int]:
    return [int(c) for c in np.bincount(y, minlength=k)]


def manifest_entry(name: str, arrays: dict[str, np.ndarray], data: bytes) -> dict:
    """The manifest record of one dataset: sizes, class counts, checksum and seed."""
    k = int(max(arrays["y_train"].max(), arrays["y_test"].max())) + 1
    return {
        "file": f"data/{name}.npz",
        "n_train": int(arrays["X_train"].shape[0]),
        "n_test": int(arrays["X_test"].shape[0]),
        "n_features": int(arrays["X_train"].shape[1]),
        "n_classes": k,
        "class_counts_train": _class_counts(arrays["y_train"], k),
        "class_counts_test": _class_counts(arrays["y_test"], k),
        "sha256": hashlib.sha256(data).hexdigest(),
        "seed": SPECS[name].seed,
    }


def manifest_text(entries: dict[str, dict]) -> str:
    return json.dumps(entries, indent=2, sort_keys=True) + "\n"


def build_all() -> tuple[dict[str, bytes], str]:
    """Every dataset in memory: ({name: npz bytes}, manifest text). Needs scikit-learn."""
    files, entries = {}, {}
    for name in DATASETS:
        arrays = build(name)
        files[name] = npz_bytes(arrays)
        entries[name] = manifest_entry(name, arrays, files[name])
    return files, manifest_text(entries)


def write(root: Path = PACKAGE_DIR) -> list[Path]:
    """Rebuild everything and write ``root/data/<name>.npz`` and ``root/manifest.json``."""
    files, manifest = build_all()
    (root / "data").mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        path = root / "data" / f"{name}.npz"
        path.write_bytes(data)
        written.append(path)
    path = root / MANIFEST_NAME
    path.write_text(manifest, encoding="utf-8")
    written.append(path)
    return written


def check(root: Path = PACKAGE_DIR) -> list[str]:
    """Rebuild in memory and list the shipped files whose bytes differ (empty: all identical)."""
    files, manifest = build_all()
    wanted = {f"data/{name}.npz": data for name, data in files.items()}
    wanted[MANIFEST_NAME] = manifest.encode("utf-8")
    differ = []
    for rel, data in wanted.items():
        path = root / rel
        if not path.is_file() or path.read_bytes() != data:
            differ.append(rel)
    return differ


# --------------------------------------------------------------------------------------------
# Verification against the manifest (no rebuild, no scikit-learn).
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one dataset: `ok`, and a one-line human-readable `detail`."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.name:<8} {'ok' if self.ok else 'MISMATCH'}: {self.detail}"


def _verify_one(name: str, entry: dict | None, root: Path) -> Verdict:
    if entry is None:
        return Verdict(name, False, "not listed in the manifest")
    path = root / "data" / f"{name}.npz"
    if not path.is_file():
        return Verdict(name, False, f"file {path} is missing")
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != entry.get("sha256"):
        return Verdict(name, False, f"sha256 {digest[:12]}... differs from the manifest's "
                       f"{str(entry.get('sha256'))[:12]}...")
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in KEYS if key in archive.files}
    missing = [key for key in KEYS if key not in arrays]
    if missing:
        return Verdict(name, False, f"archive lacks {', '.join(missing)}")
    try:
        actual = manifest_entry(name, arrays, data)
    except (ValueError, TypeError) as exc:
        return Verdict(name, False, f"arrays are malformed ({exc})")
    problems = [field for field in ("n_train", "n_test", "n_features", "n_classes",
                                    "class_counts_train", "class_counts_test")
                if actual[field] != entry.get(field)]
    if arrays["X_train"].dtype != np.float64 or arrays["y_train"].dtype != np.int64:
        problems.append("dtypes")
    if problems:
        return Verdict(name, False, f"{', '.join(problems)} differ from the manifest")
    return Verdict(name, True, f"{actual['n_train']} train / {actual['n_test']} test, "
                   f"{actual['n_classes']} classes, sha256 {digest[:12]}...")


def verify(root: Path = PACKAGE_DIR) -> list[Verdict]:
    """Check every shipped data file against the manifest: checksum, sizes and class counts."""
    manifest_path = root / MANIFEST_NAME
    if not manifest_path.is_file():
        return [Verdict(name, False, f"manifest {manifest_path} is missing") for name in DATASETS]
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        return [Verdict(name, False, f"manifest is not valid JSON ({exc})") for name in DATASETS]
    verdicts = [_verify_one(name, manifest.get(name), root) for name in DATASETS]
    verdicts += [Verdict(name, False, "listed in the manifest but not a known dataset")
                 for name in sorted(set(manifest) - set(DATASETS))]
    return verdicts


# --------------------------------------------------------------------------------------------
# Command line.
# --------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m toy2d.generate", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="rebuild in memory and compare with the shipped files; write nothing")
    args = parser.parse_args(argv)
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("toy2d.generate: scikit-learn is required; install the 'datasets' extra",
              file=sys.stderr)
        return 2
    if args.check:
        differ = check()
        if differ:
            print(f"toy2d.generate --check: {len(differ)} shipped file(s) differ from a fresh "
                  f"rebuild: {', '.join(differ)} (run python -m toy2d.generate)", file=sys.stderr)
            return 1
        print(f"toy2d.generate --check: all {len(DATASETS)} datasets and the manifest match")
        return 0
    written = write()
    print(f"toy2d.generate: wrote {len(written)} files under {PACKAGE_DIR}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
