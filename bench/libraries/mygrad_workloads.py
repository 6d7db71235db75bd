"""mygrad workloads: Tensor.backward(); mygrad has no higher-order derivatives, so no W4."""

from __future__ import annotations

import mygrad as mg
import numpy as np
from mygrad.nnet.activations import relu
from mygrad.nnet.losses import softmax_crossentropy

from ..workloads import CHAIN_FACTOR, CHAIN_LENGTH, MLP_LEARNING_RATE, SEED_STEP_LEARNING_RATES, NotSupported, Prepared


def seed_step(inputs: dict) -> Prepared:
    x = inputs["x"]
    kernel_1, bias_1, kernel_2, bias_2 = (
        mg.tensor(inputs[name]) for name in ("kernel_1", "bias_1", "kernel_2", "bias_2")
    )
    rate_1, rate_2 = (np.float32(rate) for rate in SEED_STEP_LEARNING_RATES)

    def step():
        predictions = mg.matmul(relu(mg.matmul(x, kernel_1) + bias_1), kernel_2) + bias_2
        predictions.sum().backward()
        return (
            kernel_1.data - rate_1 * kernel_1.grad,
            kernel_2.data - rate_2 * kernel_2.grad,
            bias_1.grad,
            bias_2.grad,
        )

    return Prepared(step, checked=lambda result: result)


def mlp_batch(inputs: dict) -> Prepared:
    x, labels = inputs["x"], inputs["labels"]
    parameters = [mg.tensor(inputs[f"{kind}_{layer}"]) for layer in (1, 2, 3) for kind in ("kernel", "bias")]
    kernel_1, bias_1, kernel_2, bias_2, kernel_3, bias_3 = parameters
    rate = np.float32(MLP_LEARNING_RATE)

    def step():
        hidden_1 = relu(mg.matmul(x, kernel_1) + bias_1)
        hidden_2 = relu(mg.matmul(hidden_1, kernel_2) + bias_2)
        logits = mg.matmul(hidden_2, kernel_3) + bias_3
        # softmax_crossentropy returns the mean over the batch.
        loss = softmax_crossentropy(logits, labels)
        loss.backward()
        for parameter in parameters:
            parameter.data -= rate * parameter.grad
        return loss

    return Prepared(step)


def op_chain(inputs: dict) -> Prepared:
    x = mg.tensor(inputs["x"])

    def step():
        y = x
        for i in range(CHAIN_LENGTH):
            kind = i % 3
            if kind == 0:
                y = mg.sin(y)
            elif kind == 1:
                y = y * CHAIN_FACTOR
            else:
                y = y + x
        y.backward()
        return x.grad

    return Prepared(step, checked=lambda result: (result,))


def hessian(inputs: dict) -> Prepared:
    raise NotSupported("mygrad has no higher-order derivatives: Tensor.grad is a plain array")


def jacobian(inputs: dict) -> Prepared:
    a = inputs["a"]
    x_value = inputs["x"]
    rows = a.shape[0]

    def step():
        # One backward per output row; mygrad frees the graph after backward, so each row
        # needs a new forward pass.
        jacobian = np.empty((rows, x_value.shape[0]), np.float32)
        for row in range(rows):
            x = mg.tensor(x_value)
            y = mg.tanh(mg.matmul(a, x))
            y[row].backward()
            jacobian[row] = x.grad
        return jacobian

    return Prepared(step, checked=lambda result: (result,))


SETUPS = {"W1": seed_step, "W2": mlp_batch, "W3": op_chain, "W4": hessian, "W5": jacobian}
