"""The NumPy baseline: each workload computed by hand, with no autodiff library.

W1 and W2 are hand-written forward and backward passes, the least work any library can do.
W3 is a minimal tape over 0-d arrays, the least bookkeeping a recording library can do.
W4 and W5 are closed-form formulas, so the other rows' ratios measure what automatic
differentiation costs over the formula.
"""

from __future__ import annotations

import numpy as np

from ..workloads import CHAIN_FACTOR, CHAIN_LENGTH, MLP_LEARNING_RATE, SEED_STEP_LEARNING_RATES, Prepared


def seed_step(inputs: dict) -> Prepared:
    x = inputs["x"]
    kernel_1, bias_1, kernel_2 = inputs["kernel_1"], inputs["bias_1"], inputs["kernel_2"]
    rate_1, rate_2 = (np.float32(rate) for rate in SEED_STEP_LEARNING_RATES)

    def step():
        hidden = np.maximum(x @ kernel_1 + bias_1, 0)
        # The cotangent of sum(predictions) is ones, so each bias gets a column sum of ones.
        predictions_cotangent = np.ones((x.shape[0], kernel_2.shape[1]), np.float32)
        kernel_2_gradient = hidden.T @ predictions_cotangent
        hidden_cotangent = (predictions_cotangent @ kernel_2.T) * (hidden > 0)
        kernel_1_gradient = x.T @ hidden_cotangent
        bias_1_gradient = hidden_cotangent.sum(axis=0)
        bias_2_gradient = predictions_cotangent.sum(axis=0)
        return (
            kernel_1 - rate_1 * kernel_1_gradient,
            kernel_2 - rate_2 * kernel_2_gradient,
            bias_1_gradient,
            bias_2_gradient,
        )

    return Prepared(step, checked=lambda result: result)


def mlp_batch(inputs: dict) -> Prepared:
    x, labels = inputs["x"], inputs["labels"]
    kernels = [inputs[f"kernel_{layer}"] for layer in (1, 2, 3)]
    biases = [inputs[f"bias_{layer}"] for layer in (1, 2, 3)]
    rate = np.float32(MLP_LEARNING_RATE)
    rows = np.arange(x.shape[0])

    def step():
        hidden_1 = np.maximum(x @ kernels[0] + biases[0], 0)
        hidden_2 = np.maximum(hidden_1 @ kernels[1] + biases[1], 0)
        logits = hidden_2 @ kernels[2] + biases[2]

        shifted = logits - logits.max(axis=1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(sums[:, 0]) - shifted[rows, labels])

        logits_cotangent = exp / sums
        logits_cotangent[rows, labels] -= 1
        logits_cotangent /= x.shape[0]
        hidden_2_cotangent = (logits_cotangent @ kernels[2].T) * (hidden_2 > 0)
        hidden_1_cotangent = (hidden_2_cotangent @ kernels[1].T) * (hidden_1 > 0)
        gradients = [
            (x.T @ hidden_1_cotangent, hidden_1_cotangent.sum(axis=0)),
            (hidden_1.T @ hidden_2_cotangent, hidden_2_cotangent.sum(axis=0)),
            (hidden_2.T @ logits_cotangent, logits_cotangent.sum(axis=0)),
        ]

        for kernel, bias, (kernel_gradient, bias_gradient) in zip(kernels, biases, gradients):
            kernel -= rate * kernel_gradient
            bias -= rate * bias_gradient
        return loss

    return Prepared(step)


def op_chain(inputs: dict) -> Prepared:
    x = inputs["x"]
    factor = np.float32(CHAIN_FACTOR)
    one = np.float32(1)

    def step():
        # values[k] is the k-th recorded value. records[k - 1] contains the partial derivatives
        # of values[k] as (index of an input value, d values[k] / d input) pairs.
        values = [x]
        records = []
        for i in range(CHAIN_LENGTH):
            current = len(values) - 1
            y = values[current]
            kind = i % 3
            if kind == 0:
                values.append(np.sin(y))
                records.append(((current, np.cos(y)),))
            elif kind == 1:
                values.append(y * factor)
                records.append(((current, factor),))
            else:
                values.append(y + x)
                records.append(((current, one), (0, one)))

        cotangents = [np.float32(0)] * len(values)
        cotangents[-1] = one
        for out_index in range(len(records), 0, -1):
            g = cotangents[out_index]
            for in_index, partial in records[out_index - 1]:
                cotangents[in_index] = cotangents[in_index] + g * partial
        return cotangents[0]

    return Prepared(step, checked=lambda result: (result,))


def hessian(inputs: dict) -> Prepared:
    w, x = inputs["w"], inputs["x"]

    def step():
        # d/dx sum(tanh(w x)) = w^T (1 - t^2), so the Hessian is w^T diag(-2 t (1 - t^2)) w.
        t = np.tanh(w @ x)
        curvature = -2 * t * (1 - t * t)
        return w.T @ (curvature[:, None] * w)

    return Prepared(step, checked=lambda result: (result,))


def jacobian(inputs: dict) -> Prepared:
    a, x = inputs["a"], inputs["x"]

    def step():
        y = np.tanh(a @ x)
        return (1 - y * y)[:, None] * a

    return Prepared(step, checked=lambda result: (result,))


SETUPS = {"W1": seed_step, "W2": mlp_batch, "W3": op_chain, "W4": hessian, "W5": jacobian}
