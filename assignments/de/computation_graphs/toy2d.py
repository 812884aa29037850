"""Small two-dimensional classification datasets for training a from-scratch neural network.

Six datasets ship with the course, each already split into a training set and a test set:

==========  =======  ===================================================================
name        classes  what it looks like
==========  =======  ===================================================================
moons       2        two interleaving half circles
circles     2        a small ring inside a larger ring
spirals     3        three arms winding around the centre
xor         2        four clusters on the corners of a square; opposite corners match
blobs       4        four round, well-separated clusters
grid        9        a regular lattice of points cut into 3 x 3 square regions
==========  =======  ===================================================================

The features are *raw*: each axis has its own offset and scale, so they are deliberately not
centred at 0 with standard deviation 1. Standardizing them (with statistics computed on the
training set only) is part of your job.

Typical use::

    from toy2d import load_dataset, plot_dataset, plot_decision_regions

    X_train, y_train, X_test, y_test = load_dataset("moons")
    plot_dataset(X_train, y_train, title="moons (train)")
    plot_decision_regions(my_model_predict, X_test, y_test)

This file is self-contained: it needs only NumPy (and matplotlib, loaded when you plot) and the
``data/`` folder that sits next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "DATASETS",
    "load_dataset",
    "num_classes",
    "plot_dataset",
    "plot_decision_regions",
    "plot_gallery",
]

#: The names accepted by `load_dataset`, in the order the gallery shows them.
DATASETS: tuple[str, ...] = ("moons", "circles", "spirals", "xor", "blobs", "grid")

#: Folder holding one ``<name>.npz`` file per dataset (the same relative place in every copy).
DATA_DIR: Path = Path(__file__).resolve().parent / "data"

_KEYS = ("X_train", "y_train", "X_test", "y_test")

#: The language of this module's messages, and their translations into it (id -> {language:
#: template}); a release in another language writes both (docs/translating.md).
LANGUAGE: str = 'de'
CATALOG: dict | None = {
 "datasets.feature": {
  "de": "Merkmal {index}"
 },
 "datasets.file-missing": {
  "de": "die Datei {path} des Datensatzes fehlt; lassen Sie den Ordner data/ neben {file}"
 },
 "datasets.gallery-suptitle": {
  "de": "toy2d-Datensätze (Rohmerkmale, Farbe = Klasse)"
 },
 "datasets.gallery-test": {
  "de": "Test (schwarzer Rand)"
 },
 "datasets.gallery-title": {
  "de": "{name}: {k} Klassen, {train} Training / {test} Test"
 },
 "datasets.gallery-train": {
  "de": "Training"
 },
 "datasets.legend-class": {
  "de": "Klasse {k}"
 },
 "datasets.legend-test": {
  "de": "Test {k}"
 },
 "datasets.legend-train": {
  "de": "Training {k}"
 },
 "datasets.no-names": {
  "de": "names muss mindestens einen Datensatz nennen"
 },
 "datasets.predict-count": {
  "de": "predict muss ein Label pro Punkt zurückgeben: aufgerufen mit {points} Punkten, erhalten: ein Array der Form {shape}"
 },
 "datasets.predict-labels": {
  "de": "predict muss Klassen-Labels (ganze Zahlen) zurückgeben, keine Scores oder Wahrscheinlichkeiten; nehmen Sie zuerst den argmax über die Klassen"
 },
 "datasets.resolution": {
  "de": "resolution muss mindestens 2 sein, erhalten: {resolution}"
 },
 "datasets.unknown": {
  "de": "unbekannter Datensatz {name}; gültige Namen sind: {valid}"
 },
 "datasets.x-shape": {
  "de": "X muss die Form (N, 2) haben, erhalten: {shape}"
 },
 "datasets.y-length": {
  "de": "y muss ein Label pro Zeile von X haben: X hat {rows} Zeilen, y hat {labels} Labels"
 }
}
#: This module's messages and plot labels, id -> English template (the catalogs' source).
MESSAGES: dict[str, str] = {
    "datasets.unknown": "unknown dataset {name}; valid names are: {valid}",
    "datasets.file-missing": "dataset file {path} is missing; keep the data/ folder next to "
                             "{file}",
    "datasets.x-shape": "X must have shape (N, 2), got {shape}",
    "datasets.y-length": "y must have one label per row of X: X has {rows} rows, y has {labels} "
                         "labels",
    "datasets.predict-count": "predict must return one label per point: called with {points} "
                              "points, got an array of shape {shape}",
    "datasets.predict-labels": "predict must return class labels (whole numbers), not scores or "
                               "probabilities; take the argmax over classes first",
    "datasets.resolution": "resolution must be at least 2, got {resolution}",
    "datasets.no-names": "names must list at least one dataset",
    "datasets.legend-class": "class {k}",
    "datasets.legend-train": "train {k}",
    "datasets.legend-test": "test {k}",
    "datasets.feature": "feature {index}",
    "datasets.gallery-title": "{name}: {k} classes, {train} train / {test} test",
    "datasets.gallery-train": "train",
    "datasets.gallery-test": "test (black edge)",
    "datasets.gallery-suptitle": "toy2d datasets (raw features, colour = class)",
}


def _say(message_id: str, **values: Any) -> str:
    """Message `message_id` in LANGUAGE (its English when there is no translation)."""
    template = ((CATALOG or {}).get(message_id) or {}).get(LANGUAGE) or MESSAGES[message_id]
    return template.format(**values)

# One colour per class label, used by every plot so that "class 2" always looks the same.
_CLASS_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)


def _check_name(name: str) -> str:
    if name not in DATASETS:
        valid = ", ".join(DATASETS)
        raise ValueError(_say("datasets.unknown", name=repr(name), valid=valid))
    return name


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load one dataset with its fixed train/test split.

    Inputs:
        name: one of `DATASETS` ("moons", "circles", "spirals", "xor", "blobs", "grid").

    Returns:
        X_train: float64 array, shape (N_train, 2), raw (unstandardized) features.
        y_train: int64 array, shape (N_train,), class labels 0 .. K-1.
        X_test:  float64 array, shape (N_test, 2), raw features.
        y_test:  int64 array, shape (N_test,), class labels 0 .. K-1.

    The arrays are fresh copies: changing them does not affect later calls.

    Raises:
        ValueError: `name` is not one of `DATASETS`.
        FileNotFoundError: the ``data/`` folder next to this file is missing the dataset.
    """
    path = DATA_DIR / f"{_check_name(name)}.npz"
    if not path.is_file():
        raise FileNotFoundError(_say("datasets.file-missing", path=path,
                                     file=Path(__file__).name))
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in _KEYS}
    return (
        np.array(arrays["X_train"], dtype=np.float64, copy=True),
        np.array(arrays["y_train"], dtype=np.int64, copy=True),
        np.array(arrays["X_test"], dtype=np.float64, copy=True),
        np.array(arrays["y_test"], dtype=np.int64, copy=True),
    )


def num_classes(name: str) -> int:
    """Number of classes K of a dataset.

    Inputs:
        name: one of `DATASETS`.

    Returns:
        K, so the labels of this dataset are 0 .. K-1.
    """
    _, y_train, _, y_test = load_dataset(name)
    return int(max(y_train.max(), y_test.max())) + 1


# --------------------------------------------------------------------------------------------
# Plotting. matplotlib is imported inside the functions so that loading data never needs it.
# --------------------------------------------------------------------------------------------

def _color(label: int) -> str:
    return _CLASS_COLORS[int(label) % len(_CLASS_COLORS)]


def _new_axes():
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=(5, 4.5))
    return ax


def _check_points(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(_say("datasets.x-shape", shape=X.shape))
    if y.shape[0] != X.shape[0]:
        raise ValueError(_say("datasets.y-length", rows=X.shape[0], labels=y.shape[0]))
    return X, y.astype(np.int64)


def _scatter(ax: Any, X: np.ndarray, y: np.ndarray, *, legend: str = "datasets.legend-class",
             **style: Any) -> None:
    """Scatter the points of each class in that class's colour (`legend`: the message id of a
    class's legend entry)."""
    for k in np.unique(y):
        rows = y == k
        ax.scatter(X[rows, 0], X[rows, 1], color=_color(k), label=_say(legend, k=k), **style)


def plot_dataset(X: np.ndarray, y: np.ndarray, ax: Any = None, title: str | None = None) -> Any:
    """Scatter plot of 2D points coloured by class.

    Inputs:
        X: array, shape (N, 2), the points (raw or standardized, any scale).
        y: array, shape (N,), integer class labels.
        ax: matplotlib Axes to draw on; a new figure is created when None.
        title: optional title for the axes.

    Returns:
        The matplotlib Axes that was drawn on.
    """
    X, y = _check_points(X, y)
    if ax is None:
        ax = _new_axes()
    _scatter(ax, X, y, s=14, edgecolors="none", alpha=0.85)
    ax.set_xlabel(_say("datasets.feature", index=0))
    ax.set_ylabel(_say("datasets.feature", index=1))
    if len(np.unique(y)) <= 10:
        ax.legend(loc="best", fontsize="small", framealpha=0.8)
    if title is not None:
        ax.set_title(title)
    return ax


def _grid_labels(predict: Callable[[np.ndarray], Any], points: np.ndarray) -> np.ndarray:
    """Call `predict` on the mesh points and check it returned one integer label per point."""
    labels = np.asarray(predict(points))
    if labels.size != points.shape[0]:
        raise ValueError(_say("datasets.predict-count", points=points.shape[0],
                              shape=labels.shape))
    labels = labels.reshape(-1)
    if not np.issubdtype(labels.dtype, np.integer):
        rounded = np.rint(labels.astype(np.float64))
        if not np.array_equal(rounded, labels):
            raise ValueError(_say("datasets.predict-labels"))
        labels = rounded
    return labels.astype(np.int64)


def plot_decision_regions(predict: Callable[[np.ndarray], Any], X: np.ndarray, y: np.ndarray,
                          ax: Any = None, resolution: int = 200, padding: float = 0.5,
                          title: str | None = None) -> Any:
    """Colour the plane by the class a classifier predicts, and overlay the data points.

    Inputs:
        predict: any callable taking points of shape (M, 2) and returning class labels of
            shape (M,), e.g. ``lambda P: model_forward(P).argmax(axis=1)``. It receives points in
            the same coordinates as `X`, so standardize inside it if your model expects that.
        X: array, shape (N, 2), the points to show (they also fix the plotted area).
        y: array, shape (N,), their true integer labels.
        ax: matplotlib Axes to draw on; a new figure is created when None.
        resolution: number of mesh points along each axis (resolution**2 predictions in total).
        padding: margin added around the points on every side, in the units of `X`.
        title: optional title for the axes.

    Returns:
        The matplotlib Axes that was drawn on.
    """
    X, y = _check_points(X, y)
    if resolution < 2:
        raise ValueError(_say("datasets.resolution", resolution=resolution))
    if ax is None:
        ax = _new_axes()
    from matplotlib.colors import to_rgb

    x_min, y_min = X.min(axis=0) - padding
    x_max, y_max = X.max(axis=0) + padding
    xs = np.linspace(x_min, x_max, resolution)
    ys = np.linspace(y_min, y_max, resolution)
    mesh_x, mesh_y = np.meshgrid(xs, ys)  # both (resolution, resolution); row index follows y
    points = np.column_stack([mesh_x.ravel(), mesh_y.ravel()])  # (resolution**2, 2)
    labels = _grid_labels(predict, points).reshape(resolution, resolution)

    palette = np.array([to_rgb(c) for c in _CLASS_COLORS])  # (10, 3)
    image = palette[labels % len(_CLASS_COLORS)]  # (resolution, resolution, 3)
    ax.imshow(image, origin="lower", extent=(x_min, x_max, y_min, y_max), aspect="auto",
              interpolation="nearest", alpha=0.3, zorder=0)
    _scatter(ax, X, y, s=16, edgecolors="black", linewidths=0.4, zorder=2)
    ax.set_xlim(x_min, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_xlabel(_say("datasets.feature", index=0))
    ax.set_ylabel(_say("datasets.feature", index=1))
    if title is not None:
        ax.set_title(title)
    return ax


def plot_gallery(path: str | Path, names: Sequence[str] = DATASETS) -> Path:
    """Save one PNG showing every dataset, training and test points together.

    Training points are drawn as plain dots, test points as larger dots with a black edge.
    No display is needed: the figure is rendered off-screen.

    Inputs:
        path: where to write the PNG; missing parent folders are created.
        names: the datasets to show (default: all of `DATASETS`).

    Returns:
        The path of the written file.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    names = [_check_name(n) for n in names]
    if not names:
        raise ValueError(_say("datasets.no-names"))
    cols = min(3, len(names))
    rows = -(-len(names) // cols)
    fig = Figure(figsize=(4.2 * cols, 3.9 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel()
    for ax, name in zip(axes, names, strict=False):
        X_train, y_train, X_test, y_test = load_dataset(name)
        _scatter(ax, X_train, y_train, legend="datasets.legend-train", s=9, edgecolors="none",
                 alpha=0.7)
        _scatter(ax, X_test, y_test, legend="datasets.legend-test", s=22, edgecolors="black",
                 linewidths=0.6)
        k = int(max(y_train.max(), y_test.max())) + 1
        ax.set_title(_say("datasets.gallery-title", name=name, k=k, train=len(y_train),
                          test=len(y_test)), fontsize="medium")
        ax.tick_params(labelsize="small")
    for ax in axes[len(names):]:
        ax.set_axis_off()
    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=5, color="0.45",
               markeredgecolor="none", label=_say("datasets.gallery-train")),
        Line2D([], [], linestyle="none", marker="o", markersize=7, color="0.45",
               markeredgecolor="black", label=_say("datasets.gallery-test")),
    ]
    fig.legend(handles=handles, loc="outside lower center", ncols=2, frameon=False)
    fig.suptitle(_say("datasets.gallery-suptitle"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, format="png")
    return path
