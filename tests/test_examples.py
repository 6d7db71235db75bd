"""The bundled TensorFlow programs run unchanged against TapeStudio and print TensorFlow's numbers."""

from __future__ import annotations

import runpy
import subprocess
import sys
from importlib import resources

import numpy as np

EXAMPLES = resources.files("tapestudio.resources") / "examples"


def _run(name: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_multiple_tapes_prints_tensorflow_output():
    lines = _run("multiple_tapes.py").splitlines()

    assert lines == [
        "Gradient of y0 with respect to x0: 0.2836622",
        "Gradient of y1 with respect to x1: 0.00033522327",
    ]


def test_weighted_gradients_prints_both_kernels():
    output = _run("weighted_gradients.py")

    assert "dense kernel after an update with learning rate 0.01:" in output
    assert "dense_1 kernel after an update with learning rate 0.001:" in output


def test_weighted_gradients_updates_match_numpy():
    import tapestudio as tf

    tf.keras.backend.clear_session()
    namespace = runpy.run_path(str(EXAMPLES / "weighted_gradients.py"), run_name="example")
    model = namespace["model"]

    # The same draws, in the same order, from the seeded stream: the input, then each
    # glorot-uniform kernel when the first call builds the layers.
    rng = np.random.default_rng(0)
    x = rng.normal(0.0, 1.0, (1, 10)).astype(np.float32)
    limit1 = np.sqrt(6.0 / (10 + 64))
    k1 = rng.uniform(-limit1, limit1, (10, 64)).astype(np.float32)
    limit2 = np.sqrt(6.0 / (64 + 10))
    k2 = rng.uniform(-limit2, limit2, (64, 10)).astype(np.float32)

    pre_activation = x @ k1
    hidden = np.maximum(pre_activation, 0)
    ones = np.ones((1, 10), np.float32)
    grad_k2 = hidden.T @ ones
    grad_k1 = x.T @ ((ones @ k2.T) * (pre_activation > 0))
    expected_k1 = k1 - np.float32(0.01) * grad_k1
    expected_k2 = k2 - np.float32(0.001) * grad_k2

    new_k1, bias1, new_k2, bias2 = model.get_weights()
    np.testing.assert_allclose(new_k1, expected_k1, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(new_k2, expected_k2, rtol=1e-6, atol=1e-7)
    assert not np.array_equal(new_k1, k1)
    np.testing.assert_array_equal(bias1, np.zeros(64, np.float32))
    np.testing.assert_array_equal(bias2, np.zeros(10, np.float32))
