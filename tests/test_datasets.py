"""The toy datasets: shipped files, loader contract, plotting helpers and their subcommands."""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import toy2d
from toy2d import DATASETS, generate, load_dataset, num_classes

from grader.cli import main

PACKAGE_DIR = Path(toy2d.__file__).resolve().parent
MANIFEST = json.loads((PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8"))
HAS_SKLEARN = importlib.util.find_spec("sklearn") is not None


@pytest.fixture(scope="module", params=DATASETS)
def dataset(request):
    return request.param, load_dataset(request.param)


def test_manifest_lists_exactly_the_datasets():
    assert sorted(MANIFEST) == sorted(DATASETS)


@pytest.mark.parametrize("name", DATASETS)
def test_shipped_file_matches_manifest(name):
    entry = MANIFEST[name]
    data = (PACKAGE_DIR / "data" / f"{name}.npz").read_bytes()
    assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    X_train, y_train, X_test, y_test = load_dataset(name)
    assert (X_train.shape, X_test.shape) == ((entry["n_train"], 2), (entry["n_test"], 2))
    assert entry["n_features"] == 2
    assert entry["n_classes"] == num_classes(name)
    k = entry["n_classes"]
    assert np.bincount(y_train, minlength=k).tolist() == entry["class_counts_train"]
    assert np.bincount(y_test, minlength=k).tolist() == entry["class_counts_test"]
    assert entry["seed"] == generate.SPECS[name].seed


def test_manifest_is_canonical_json():
    text = (PACKAGE_DIR / "manifest.json").read_text(encoding="utf-8")
    assert text == json.dumps(MANIFEST, indent=2, sort_keys=True) + "\n"


@pytest.mark.skipif(not HAS_SKLEARN, reason="regeneration needs scikit-learn")
def test_regeneration_reproduces_shipped_bytes():
    assert generate.check() == []


def test_npz_writer_is_deterministic_and_loadable(tmp_path):
    arrays = {"X_train": np.arange(6.0).reshape(3, 2), "y_train": np.array([0, 1, 0]),
              "X_test": np.ones((1, 2)), "y_test": np.array([1])}
    first, second = generate.npz_bytes(arrays), generate.npz_bytes(arrays)
    assert first == second
    path = tmp_path / "a.npz"
    path.write_bytes(first)
    with np.load(path) as loaded:
        for key, value in arrays.items():
            np.testing.assert_array_equal(loaded[key], value)


def test_loader_shapes_and_dtypes(dataset):
    name, (X_train, y_train, X_test, y_test) = dataset
    assert X_train.dtype == np.float64 and X_test.dtype == np.float64
    assert y_train.dtype == np.int64 and y_test.dtype == np.int64
    assert X_train.ndim == 2 and X_train.shape[1] == 2
    assert X_test.ndim == 2 and X_test.shape[1] == 2
    assert y_train.shape == (X_train.shape[0],) and y_test.shape == (X_test.shape[0],)
    assert np.isfinite(X_train).all() and np.isfinite(X_test).all()
    # fixed 2/3 : 1/3 split
    total = len(y_train) + len(y_test)
    assert len(y_test) == round(total / 3)


def test_loader_returns_fresh_writable_copies():
    X_train, y_train, _, _ = load_dataset("moons")
    assert X_train.flags.writeable and y_train.flags.writeable
    X_train[:] = 0.0
    y_train[:] = 99
    again_X, again_y, _, _ = load_dataset("moons")
    assert again_X.any() and (again_y != 99).all()


def test_labels_are_contiguous(dataset):
    name, (_, y_train, _, y_test) = dataset
    k = num_classes(name)
    assert set(np.unique(y_train)) == set(range(k))
    assert set(np.unique(y_test)) == set(range(k))


def test_expected_number_of_classes():
    expected = {"moons": 2, "circles": 2, "spirals": 3, "xor": 2, "blobs": 4, "grid": 9}
    assert {name: num_classes(name) for name in DATASETS} == expected


def test_classes_are_balanced(dataset):
    name, (_, y_train, _, y_test) = dataset
    for y in (y_train, y_test, np.concatenate([y_train, y_test])):
        counts = np.bincount(y)
        assert (counts >= 0.5 * counts.mean()).all() and (counts <= 1.5 * counts.mean()).all()


def test_no_test_point_is_a_train_point(dataset):
    name, (X_train, _, X_test, _) = dataset
    train_rows = {tuple(row) for row in X_train}
    assert not any(tuple(row) in train_rows for row in X_test)


def test_features_are_raw_not_standardized(dataset):
    name, (X_train, _, X_test, _) = dataset
    X = np.concatenate([X_train, X_test])
    mean, std = X.mean(axis=0), X.std(axis=0)
    for axis in range(2):
        far_from_standard = abs(mean[axis]) > 1.0 or std[axis] > 2.0 or std[axis] < 0.5
        assert far_from_standard, f"{name} axis {axis}: mean {mean[axis]:.2f}, std {std[axis]:.2f}"


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="moons") as info:
        load_dataset("mnist")
    assert all(name in str(info.value) for name in DATASETS)
    with pytest.raises(ValueError):
        num_classes("nope")


def test_plot_gallery_writes_png(tmp_path):
    path = toy2d.plot_gallery(tmp_path / "sub" / "gallery.png")
    assert path == tmp_path / "sub" / "gallery.png"
    data = path.read_bytes()
    assert len(data) > 1000 and data.startswith(b"\x89PNG\r\n\x1a\n")


def test_plot_dataset_and_decision_regions(tmp_path):
    from matplotlib.figure import Figure

    X_train, y_train, X_test, y_test = load_dataset("xor")
    middle = X_train.mean(axis=0)

    def predict(points):  # the xor rule around the data's centre: shape (M, 2) -> (M,)
        return ((points[:, 0] > middle[0]) != (points[:, 1] > middle[1])).astype(int)

    assert (predict(X_test) == y_test).mean() > 0.95
    fig = Figure()
    ax1, ax2 = fig.subplots(1, 2)
    assert toy2d.plot_dataset(X_train, y_train, ax=ax1, title="train") is ax1
    calls = []

    def recording_predict(points):
        calls.append(points.shape)
        return predict(points)

    out = toy2d.plot_decision_regions(recording_predict, X_test, y_test, ax=ax2, resolution=50)
    assert out is ax2
    assert calls == [(50 * 50, 2)]
    fig.savefig(tmp_path / "regions.png")
    assert (tmp_path / "regions.png").stat().st_size > 0


def test_decision_regions_rejects_probabilities():
    from matplotlib.figure import Figure

    X, y, _, _ = load_dataset("moons")
    ax = Figure().subplots()
    with pytest.raises(ValueError, match="argmax"):
        toy2d.plot_decision_regions(lambda P: np.full(len(P), 0.3), X, y, ax=ax, resolution=10)
    with pytest.raises(ValueError, match="one label per point"):
        toy2d.plot_decision_regions(lambda P: np.zeros((len(P), 2)), X, y, ax=ax, resolution=10)


def test_loader_module_imports_only_stdlib_and_numpy():
    """datasets/__init__.py is shipped to students as a standalone toy2d.py."""
    tree = ast.parse((PACKAGE_DIR / "__init__.py").read_text(encoding="utf-8"))
    allowed = set(sys.stdlib_module_names) | {"numpy", "__future__"}
    top_level = []
    pending = list(tree.body)  # everything that runs at import time; function bodies do not
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Import):
            top_level += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports break the standalone copy"
            top_level.append(node.module or "")
        pending.extend(ast.iter_child_nodes(node))
    roots = {name.split(".")[0] for name in top_level}
    assert "numpy" in roots
    assert roots <= allowed, f"non-stdlib imports at module level: {roots - allowed}"


def test_loader_finds_data_next_to_itself():
    assert toy2d.DATA_DIR == PACKAGE_DIR / "data"
    assert {p.stem for p in toy2d.DATA_DIR.glob("*.npz")} == set(DATASETS)


def test_grader_datasets_verify(capsys):
    assert main(["datasets", "verify"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(DATASETS)
    assert all(" ok: " in line for line in lines)


def test_verify_reports_a_changed_file(tmp_path):
    (tmp_path / "data").mkdir()
    for name in DATASETS:
        src = PACKAGE_DIR / "data" / f"{name}.npz"
        (tmp_path / "data" / src.name).write_bytes(src.read_bytes())
    (tmp_path / "manifest.json").write_bytes((PACKAGE_DIR / "manifest.json").read_bytes())
    assert all(v.ok for v in generate.verify(tmp_path))
    broken = tmp_path / "data" / "grid.npz"
    broken.write_bytes(broken.read_bytes() + b"\0")
    verdicts = {v.name: v for v in generate.verify(tmp_path)}
    assert not verdicts["grid"].ok and "sha256" in verdicts["grid"].detail
    assert all(v.ok for name, v in verdicts.items() if name != "grid")


def test_grader_datasets_gallery(tmp_path, capsys):
    out = tmp_path / "g.png"
    assert main(["datasets", "gallery", "--out", str(out)]) == 0
    assert out.stat().st_size > 0
    assert str(out) in capsys.readouterr().out
