"""The train/validation split, feature scaling and the mini-batches a session trains on.

The split and the batches come from the data seed (``Project.data_seed()``) through two
independent streams of ``numpy.random.SeedSequence(seed).spawn(2)``. The same project
therefore always holds out the same samples and draws the same batches in the same order, and
a reset replays them.

- Split: a seeded permutation of the samples; the first ``round(fraction * samples)`` of it
  (at least one sample when the fraction is above 0) are the validation samples, the rest
  train. Both index arrays are sorted.
- Scaling: every feature column except those of ``normal`` data, which is N(0, 1) already, is
  standardised with the mean and standard deviation of the training samples only, so nothing
  about the validation samples leaks into training.
- Batches: each epoch is a fresh seeded permutation of the training samples, cut into batches
  of ``batch_size``. The ``samples % batch_size`` left over at the end of an epoch are skipped
  in that epoch, so every step trains on the same number of samples. ``batch_size`` None
  trains every step on all training samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import tapestudio as tf
from tapestudio.studio.dataset import Dataset
from tapestudio.studio.errors import ProjectError
from tapestudio.studio.objectives import objective_tensor


@dataclass(frozen=True)
class Split:
    """Sample indices (int64, sorted) of the training and the validation part."""

    train: np.ndarray
    validation: np.ndarray


def validation_count(samples: int, validation_fraction: float) -> int:
    """Return how many of ``samples`` a split holds out: at least one for a fraction above 0."""
    held_out = round(validation_fraction * samples)
    return max(held_out, 1) if validation_fraction > 0 else held_out


def split_indices(samples: int, validation_fraction: float, seed: int) -> Split:
    """Split ``samples`` indices into training and validation parts.

    Raises ValueError for a fraction outside [0, 1), and when the split leaves no training
    sample.
    """
    if not 0.0 <= validation_fraction < 1.0:
        raise ValueError(f"validation fraction must be in [0, 1), got {validation_fraction}")

    held_out = validation_count(samples, validation_fraction)
    if held_out >= samples:
        raise ValueError(
            f"a validation fraction of {validation_fraction:g} of {samples} samples leaves no "
            "training sample"
        )

    split_seed, _ = np.random.SeedSequence(seed).spawn(2)
    order = np.random.default_rng(split_seed).permutation(samples)
    return Split(np.sort(order[held_out:]), np.sort(order[:held_out]))


class BatchSampler:
    """Draws the training-sample positions of each step's mini-batch; see the module docstring.

    ``next_indices()`` returns int64 positions into the training samples, shape (batch_size,),
    or None for full-batch training.
    """

    def __init__(self, samples: int, batch_size: int | None, seed: int) -> None:
        if batch_size is not None and not 1 <= batch_size <= samples:
            raise ValueError(f"batch size must be between 1 and {samples}, got {batch_size}")

        _, batch_seed = np.random.SeedSequence(seed).spawn(2)
        self.samples = samples
        self.batch_size = batch_size
        self._generator = np.random.default_rng(batch_seed)
        self._epoch = np.empty(0, dtype=np.int64)
        self._position = 0

    def next_indices(self) -> np.ndarray | None:
        """Return the positions of the next batch, or None when every step uses all samples."""
        if self.batch_size is None:
            return None

        if self._position + self.batch_size > len(self._epoch):
            self._epoch = self._generator.permutation(self.samples)
            self._position = 0

        batch = self._epoch[self._position : self._position + self.batch_size]
        self._position += self.batch_size
        return batch


class TrainingData:
    """The scaled inputs and targets of the training and validation parts, and the batches.

    ``train_inputs``: float32 (training samples, features); ``train_targets``: float32
    (training samples, outputs) or None for the objective ``sum``. The validation arrays have
    the same layout and zero rows when nothing is held out. ``mean`` and ``std`` (float64,
    shape (features,)) are the scaling statistics, or None when the inputs are not scaled.
    """

    def __init__(
        self,
        dataset: Dataset,
        targets: np.ndarray | None,
        split: Split,
        batch_size: int | None,
        seed: int,
        scale: bool = True,
    ) -> None:
        features = np.asarray(dataset.features, dtype=np.float32)
        self.dataset = dataset
        self.split = split
        self.mean, self.std = _training_statistics(features[split.train]) if scale else (None, None)

        self.train_inputs = self.scale(features[split.train])
        self.validation_inputs = self.scale(features[split.validation])
        self.train_targets = targets[split.train] if targets is not None else None
        self.validation_targets = targets[split.validation] if targets is not None else None

        self.sampler = BatchSampler(len(split.train), batch_size, seed)
        self._full_batch = _constants(self.train_inputs, self.train_targets)
        self._validation = _constants(self.validation_inputs, self.validation_targets)

    @property
    def has_validation(self) -> bool:
        """True when some samples are held out for the validation objective."""
        return len(self.split.validation) > 0

    def scale(self, features: np.ndarray) -> np.ndarray:
        """Return ``features`` (samples, features) scaled as the training inputs are, float32."""
        features = np.asarray(features, dtype=np.float32)
        if self.mean is None:
            return features
        return ((features - self.mean) / self.std).astype(np.float32)

    def next_batch(self) -> tuple[tf.Tensor, tf.Tensor | None]:
        """Return the inputs and targets of the next step as constants (targets may be None)."""
        indices = self.sampler.next_indices()
        if indices is None:
            return self._full_batch

        targets = self.train_targets[indices] if self.train_targets is not None else None
        return _constants(self.train_inputs[indices], targets)

    def validation_objective(self, model, objective: str) -> float | None:
        """Return the objective of ``model`` on the validation samples, or None without any.

        Call it outside every gradient tape, so that no tape records the validation pass.
        """
        if not self.has_validation:
            return None

        inputs, targets = self._validation
        return float(objective_tensor(objective, model(inputs), targets).numpy())


def prepare_training_data(project, dataset: Dataset, targets: np.ndarray | None) -> TrainingData:
    """Split, scale and batch ``dataset`` as ``project.data`` specifies.

    ``targets`` are the float32 targets of every sample, (samples, outputs), or None. Raises
    ProjectError naming ``data.validation_fraction`` when the split leaves no training sample
    and ``data.batch_size`` when the batch is larger than the training part.
    """
    spec = project.data
    seed = project.data_seed()
    try:
        split = split_indices(dataset.samples, spec.validation_fraction, seed)
    except ValueError as error:
        field = "data.validation_fraction"
        raise ProjectError(project.describe_source(), field, str(error)) from None

    training = len(split.train)
    if spec.batch_size is not None and spec.batch_size > training:
        problem = (
            f"batch size {spec.batch_size} is larger than the {training} training samples; "
            f"use at most {training}, or full-batch training"
        )
        raise ProjectError(project.describe_source(), "data.batch_size", problem)

    return TrainingData(
        dataset, targets, split, spec.batch_size, seed, scale=spec.kind != "normal"
    )


def _training_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # A constant column is only centred: its std is taken as 1.
    data = np.asarray(features, dtype=np.float64)
    std = data.std(axis=0)
    return data.mean(axis=0), np.where(std > 0, std, 1.0)


def _constants(
    inputs: np.ndarray, targets: np.ndarray | None
) -> tuple[tf.Tensor, tf.Tensor | None]:
    return tf.constant(inputs), tf.constant(targets) if targets is not None else None
