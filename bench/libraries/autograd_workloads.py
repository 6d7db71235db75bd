"""autograd workloads: autograd.grad, autograd.hessian and autograd.jacobian on autograd.numpy."""

from __future__ import annotations

import autograd
import autograd.numpy as anp

from ..workloads import CHAIN_FACTOR, CHAIN_LENGTH, MLP_LEARNING_RATE, SEED_STEP_LEARNING_RATES, Prepared


def seed_step(inputs: dict) -> Prepared:
    x = inputs["x"]
    parameters = [inputs[name] for name in ("kernel_1", "bias_1", "kernel_2", "bias_2")]
    rate_1, rate_2 = (anp.float32(rate) for rate in SEED_STEP_LEARNING_RATES)

    def predictions_sum(parameters):
        kernel_1, bias_1, kernel_2, bias_2 = parameters
        hidden = anp.maximum(anp.dot(x, kernel_1) + bias_1, 0)
        return anp.sum(anp.dot(hidden, kernel_2) + bias_2)

    gradient_of = autograd.grad(predictions_sum)

    def step():
        gradients = gradient_of(parameters)
        return (
            parameters[0] - rate_1 * gradients[0],
            parameters[2] - rate_2 * gradients[2],
            gradients[1],
            gradients[3],
        )

    return Prepared(step, checked=lambda result: result)


def mlp_batch(inputs: dict) -> Prepared:
    x, labels = inputs["x"], inputs["labels"]
    parameters = [inputs[f"{kind}_{layer}"] for layer in (1, 2, 3) for kind in ("kernel", "bias")]
    rate = anp.float32(MLP_LEARNING_RATE)
    rows = anp.arange(x.shape[0])

    def loss(parameters):
        kernel_1, bias_1, kernel_2, bias_2, kernel_3, bias_3 = parameters
        hidden_1 = anp.maximum(anp.dot(x, kernel_1) + bias_1, 0)
        hidden_2 = anp.maximum(anp.dot(hidden_1, kernel_2) + bias_2, 0)
        logits = anp.dot(hidden_2, kernel_3) + bias_3
        shifted = logits - anp.max(logits, axis=1, keepdims=True)
        log_probabilities = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
        return -anp.mean(log_probabilities[rows, labels])

    gradient_of = autograd.grad(loss)

    def step():
        gradients = gradient_of(parameters)
        for parameter, gradient in zip(parameters, gradients):
            parameter -= rate * gradient
        return gradients

    return Prepared(step)


def op_chain(inputs: dict) -> Prepared:
    x = inputs["x"]

    def chain(x):
        y = x
        for i in range(CHAIN_LENGTH):
            kind = i % 3
            if kind == 0:
                y = anp.sin(y)
            elif kind == 1:
                y = y * CHAIN_FACTOR
            else:
                y = y + x
        return y

    gradient_of = autograd.grad(chain)
    return Prepared(lambda: gradient_of(x), checked=lambda result: (result,))


def hessian(inputs: dict) -> Prepared:
    w, x = inputs["w"], inputs["x"]
    hessian_of = autograd.hessian(lambda x: anp.sum(anp.tanh(anp.dot(w, x))))
    return Prepared(lambda: hessian_of(x), checked=lambda result: (result,))


def jacobian(inputs: dict) -> Prepared:
    a, x = inputs["a"], inputs["x"]
    jacobian_of = autograd.jacobian(lambda x: anp.tanh(anp.dot(a, x)))
    return Prepared(lambda: jacobian_of(x), checked=lambda result: (result,))


SETUPS = {"W1": seed_step, "W2": mlp_batch, "W3": op_chain, "W4": hessian, "W5": jacobian}
