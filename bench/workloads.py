"""The five workloads: what each computes, and its inputs.

Every library runs the same computation on the same float32 inputs. Each workload's inputs
come from its own ``numpy.random.default_rng(0)``, so they do not depend on which other
workloads run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

SEED = 0

SEED_STEP_LEARNING_RATES = (0.01, 0.001)
"""Learning rates of the first and the second Dense layer's kernel in W1."""

MLP_LEARNING_RATE = 0.01

CHAIN_LENGTH = 2000
"""Number of scalar ops that W3 records per call."""

CHAIN_FACTOR = 0.9
"""The constant of W3's multiply op."""


@dataclass(frozen=True)
class Workload:
    """One benchmark workload.

    ``ops_per_call`` divides the time per call for the table: W3 is shown per recorded op.
    ``checked`` names the values that the cross-check compares between libraries.
    """

    key: str
    title: str
    description: str
    ops_per_call: int = 1
    checked: tuple[str, ...] = ()


WORKLOADS = {
    "W1": Workload(
        "W1", "W1 seed step",
        "Dense(10->64, relu) -> Dense(64->10) on x (1, 10); gradient of sum(predictions) with "
        "respect to both kernels and biases; new kernels for learning rates 0.01 and 0.001",
        checked=("kernel_1", "kernel_2", "bias_1_gradient", "bias_2_gradient"),
    ),
    "W2": Workload(
        "W2", "W2 mlp batch",
        "784->256 relu ->256 relu ->10 on a batch of 128; mean softmax cross-entropy; full "
        "gradient; in-place SGD with learning rate 0.01",
    ),
    "W3": Workload(
        "W3", "W3 µs/op",
        f"chain of {CHAIN_LENGTH} scalar ops (sin, *{CHAIN_FACTOR}, +x in turn), recorded and "
        "differentiated; time per recorded op",
        ops_per_call=CHAIN_LENGTH,
        checked=("gradient",),
    ),
    "W4": Workload(
        "W4", "W4 hessian",
        "f(x) = sum(tanh(W x)), W 50x50, x 50; the full 50x50 Hessian",
        checked=("hessian",),
    ),
    "W5": Workload(
        "W5", "W5 jacobian",
        "y = tanh(A x), A 200x100, x 100; the full 200x100 Jacobian",
        checked=("jacobian",),
    ),
}


class NotSupported(Exception):
    """Raised by a library's setup for a workload that the library cannot compute."""


@dataclass
class Prepared:
    """A workload set up for one library.

    ``step`` runs one call and returns its result. ``checked`` maps that result to the values
    that the workload's ``checked`` field names, in that order, as arrays or anything that
    ``numpy.asarray`` converts. It is None for a workload that is not cross-checked.
    """

    step: Callable[[], Any]
    checked: Callable[[Any], tuple] | None = None


def _glorot_uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


def seed_step_inputs() -> dict[str, np.ndarray]:
    """Return W1's input ``x`` (1, 10) and the layers' ``kernel_1``, ``bias_1``, ``kernel_2``, ``bias_2``.

    The biases are small random values rather than zeros, so that they change the result.
    """
    rng = np.random.default_rng(SEED)
    return {
        "x": rng.standard_normal((1, 10)).astype(np.float32),
        "kernel_1": _glorot_uniform(rng, 10, 64),
        "bias_1": (0.1 * rng.standard_normal(64)).astype(np.float32),
        "kernel_2": _glorot_uniform(rng, 64, 10),
        "bias_2": (0.1 * rng.standard_normal(10)).astype(np.float32),
    }


def mlp_batch_inputs() -> dict[str, np.ndarray]:
    """Return W2's batch ``x`` (128, 784) float32, ``labels`` (128,) int64, and ``kernel_i``/``bias_i``."""
    rng = np.random.default_rng(SEED)
    inputs = {
        "x": rng.random((128, 784)).astype(np.float32),
        "labels": rng.integers(0, 10, 128).astype(np.int64),
    }
    sizes = (784, 256, 256, 10)
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        inputs[f"kernel_{layer}"] = _glorot_uniform(rng, fan_in, fan_out)
        inputs[f"bias_{layer}"] = np.zeros(fan_out, np.float32)
    return inputs


def op_chain_inputs() -> dict[str, np.ndarray]:
    """Return W3's scalar input ``x``, a 0-d float32 array."""
    return {"x": np.array(0.5, np.float32)}


def hessian_inputs() -> dict[str, np.ndarray]:
    """Return W4's ``w`` (50, 50) and ``x`` (50,), float32, scaled so that ``w @ x`` is about unit size."""
    rng = np.random.default_rng(SEED)
    return {
        "w": (rng.standard_normal((50, 50)) / np.sqrt(50)).astype(np.float32),
        "x": rng.standard_normal(50).astype(np.float32),
    }


def jacobian_inputs() -> dict[str, np.ndarray]:
    """Return W5's ``a`` (200, 100) and ``x`` (100,), float32, scaled so that ``a @ x`` is about unit size."""
    rng = np.random.default_rng(SEED)
    return {
        "a": (rng.standard_normal((200, 100)) / np.sqrt(100)).astype(np.float32),
        "x": rng.standard_normal(100).astype(np.float32),
    }


INPUTS = {
    "W1": seed_step_inputs,
    "W2": mlp_batch_inputs,
    "W3": op_chain_inputs,
    "W4": hessian_inputs,
    "W5": jacobian_inputs,
}


def parse_workloads(text: str) -> list[str]:
    """Return the workload keys in a comma-separated list such as ``"W1,w3"``, in table order.

    Raises:
        ValueError: a key is not one of W1 to W5.
    """
    requested = {item.strip().upper() for item in text.split(",") if item.strip()}
    unknown = sorted(requested - set(WORKLOADS))
    if unknown:
        raise ValueError(f"Unknown workloads {unknown}; choose from {', '.join(WORKLOADS)}.")
    return [key for key in WORKLOADS if key in requested]
