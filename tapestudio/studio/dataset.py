"""The in-memory table of samples that every data source produces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Dataset:
    """A table of training samples.

    ``features``: float32, shape (samples, len(feature_names)). ``labels``: float32, shape
    (samples,), or None. ``classes``: the class names when the labels are class indices, else
    None.
    """

    name: str
    features: np.ndarray
    feature_names: tuple[str, ...]
    labels: np.ndarray | None = None
    label_name: str | None = None
    classes: tuple[str, ...] | None = None

    @property
    def samples(self) -> int:
        return int(self.features.shape[0])

    @property
    def task(self) -> str:
        """``"classification"`` (class labels), ``"regression"`` (numeric labels) or ``"none"``."""
        if self.labels is None:
            return "none"
        return "classification" if self.classes is not None else "regression"

    def subset(self, indices: np.ndarray) -> Dataset:
        """Return the samples at ``indices`` (an int array), in that order, as a new Dataset."""
        labels = self.labels[indices] if self.labels is not None else None
        return Dataset(
            self.name,
            self.features[indices],
            self.feature_names,
            labels,
            self.label_name,
            self.classes,
        )
