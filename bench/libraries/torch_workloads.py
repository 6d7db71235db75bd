"""PyTorch eager workloads: torch.autograd.grad and torch.autograd.functional, one thread."""

from __future__ import annotations

import torch

from ..workloads import CHAIN_FACTOR, CHAIN_LENGTH, MLP_LEARNING_RATE, SEED_STEP_LEARNING_RATES, Prepared

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def _linear_stack(inputs: dict, sizes: tuple[int, ...]) -> torch.nn.Sequential:
    """Build Linear layers with ReLU between them; torch stores each kernel transposed."""
    modules = []
    for layer, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        linear = torch.nn.Linear(fan_in, fan_out)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(inputs[f"kernel_{layer}"].T.copy()))
            linear.bias.copy_(torch.from_numpy(inputs[f"bias_{layer}"]))
        modules.append(linear)
        if layer < len(sizes) - 1:
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules)


def seed_step(inputs: dict) -> Prepared:
    model = _linear_stack(inputs, (10, 64, 10))
    x = torch.from_numpy(inputs["x"])
    parameters = [model[0].weight, model[0].bias, model[2].weight, model[2].bias]
    rate_1, rate_2 = SEED_STEP_LEARNING_RATES

    def step():
        predictions = model(x)
        gradients = torch.autograd.grad(predictions.sum(), parameters)
        with torch.no_grad():
            return (
                parameters[0] - rate_1 * gradients[0],
                parameters[2] - rate_2 * gradients[2],
                gradients[1],
                gradients[3],
            )

    def checked(result):
        kernel_1, kernel_2, bias_1_gradient, bias_2_gradient = (t.numpy() for t in result)
        return kernel_1.T, kernel_2.T, bias_1_gradient, bias_2_gradient

    return Prepared(step, checked)


def mlp_batch(inputs: dict) -> Prepared:
    model = _linear_stack(inputs, (784, 256, 256, 10))
    x = torch.from_numpy(inputs["x"])
    labels = torch.from_numpy(inputs["labels"])
    parameters = list(model.parameters())

    def step():
        loss = torch.nn.functional.cross_entropy(model(x), labels)
        gradients = torch.autograd.grad(loss, parameters)
        with torch.no_grad():
            for parameter, gradient in zip(parameters, gradients):
                parameter.sub_(gradient, alpha=MLP_LEARNING_RATE)
        return loss

    return Prepared(step)


def op_chain(inputs: dict) -> Prepared:
    x = torch.tensor(inputs["x"], requires_grad=True)

    def step():
        y = x
        for i in range(CHAIN_LENGTH):
            kind = i % 3
            if kind == 0:
                y = torch.sin(y)
            elif kind == 1:
                y = y * CHAIN_FACTOR
            else:
                y = y + x
        (gradient,) = torch.autograd.grad(y, x)
        return gradient

    return Prepared(step, checked=lambda result: (result.numpy(),))


def hessian(inputs: dict) -> Prepared:
    w = torch.from_numpy(inputs["w"])
    x = torch.from_numpy(inputs["x"])

    def f(x):
        return torch.tanh(w @ x).sum()

    def step():
        return torch.autograd.functional.hessian(f, x)

    return Prepared(step, checked=lambda result: (result.numpy(),))


def jacobian(inputs: dict) -> Prepared:
    a = torch.from_numpy(inputs["a"])
    x = torch.from_numpy(inputs["x"])

    def f(x):
        return torch.tanh(a @ x)

    def step():
        return torch.autograd.functional.jacobian(f, x)

    return Prepared(step, checked=lambda result: (result.numpy(),))


SETUPS = {"W1": seed_step, "W2": mlp_batch, "W3": op_chain, "W4": hessian, "W5": jacobian}
