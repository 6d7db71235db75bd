"""The libraries the benchmark compares, each with one module of workload setups.

A library module defines ``SETUPS``, mapping a workload key to a function that takes the
workload's inputs (a dict of NumPy arrays) and returns a ``bench.workloads.Prepared``. The
module imports its library at the top, so importing it fails when the library is missing.
The parent process never imports these modules: each runs in its own child process.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Library:
    """A row of the table: the library's name, its module of setups and what the row runs.

    ``package`` is the top-level import name, which is also the distribution name on PyPI.
    """

    name: str
    module: str
    package: str
    runs: str


LIBRARIES = {
    "numpy": Library(
        "numpy", "bench.libraries.numpy_workloads", "numpy",
        "hand-written forward and backward passes (W1, W2), a minimal hand-written tape over "
        "0-d NumPy arrays (W3), closed-form formulas (W4, W5)",
    ),
    "tapestudio": Library(
        "tapestudio", "bench.libraries.tapestudio_workloads", "tapestudio",
        "`import tapestudio as tf`: tf.keras Sequential + tf.GradientTape (W1, W2, with "
        "tf.keras.optimizers.SGD for W2), raw ops + GradientTape (W3), nested tapes + "
        "outer tape.jacobian (W4), tape.jacobian (W5)",
    ),
    "autograd": Library(
        "autograd", "bench.libraries.autograd_workloads", "autograd",
        "autograd.grad (W1-W3), autograd.hessian (W4), autograd.jacobian (W5)",
    ),
    "mygrad": Library(
        "mygrad", "bench.libraries.mygrad_workloads", "mygrad",
        "Tensor.backward() (W1-W3); W4 not available, because mygrad has no higher-order "
        "derivatives; W5 one backward per output row, each with a new forward pass",
    ),
    "torch": Library(
        "torch", "bench.libraries.torch_workloads", "torch",
        "eager PyTorch: torch.nn.Linear + torch.autograd.grad (W1, W2), torch.autograd.grad (W3), "
        "torch.autograd.functional.hessian (W4) and .jacobian (W5), default vectorize=False",
    ),
}


def parse_libraries(text: str) -> list[str]:
    """Return the library names in a comma-separated list, in table order.

    Raises:
        ValueError: a name is not one of ``LIBRARIES``.
    """
    requested = {item.strip().lower() for item in text.split(",") if item.strip()}
    unknown = sorted(requested - set(LIBRARIES))
    if unknown:
        raise ValueError(f"Unknown libraries {unknown}; choose from {', '.join(LIBRARIES)}.")
    return [name for name in LIBRARIES if name in requested]
