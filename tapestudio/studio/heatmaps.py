"""Images of weights and updates for heatmaps, with colour limits that ignore non-finite values."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Heatmap:
    """A variable's values as an image.

    ``image``: float32, shape (rows, columns): a kernel as it is, (inputs, units); a bias or
    other 1-D variable as one row. NaN and infinities are NaN. ``limit``: the largest absolute
    finite value, or 1.0 when there is none or it is 0, for colour levels from -limit to limit.
    ``nonfinite``: how many values are NaN or infinite.
    """

    image: np.ndarray
    limit: float
    nonfinite: int


def heatmap(values: np.ndarray) -> Heatmap:
    """Return ``values`` (0-D, 1-D or 2-D, any real dtype) as a Heatmap.

    Raises ValueError for more than two dimensions.
    """
    array = np.asarray(values)
    if array.ndim > 2:
        raise ValueError(f"a heatmap needs at most two dimensions, got shape {array.shape}")

    with np.errstate(over="ignore"):
        image = np.array(np.atleast_2d(array), dtype=np.float32, order="C")
    finite = np.isfinite(image)
    nonfinite = int(image.size - np.count_nonzero(finite))
    image[~finite] = np.nan

    limit = float(np.max(np.abs(image[finite]))) if nonfinite < image.size else 0.0
    return Heatmap(image, limit if limit > 0.0 else 1.0, nonfinite)
