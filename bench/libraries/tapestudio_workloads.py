"""TapeStudio's workloads, written as TensorFlow code against ``import tapestudio as tf``."""

from __future__ import annotations

import tapestudio as tf

from ..workloads import CHAIN_FACTOR, CHAIN_LENGTH, MLP_LEARNING_RATE, SEED_STEP_LEARNING_RATES, Prepared


def _numpy_all(result) -> tuple:
    return tuple(tensor.numpy() for tensor in result)


def _dense_model(inputs: dict, sizes: tuple[int, ...]):
    """Build a Sequential model of Dense layers with relu between them, weights from ``inputs``."""
    layers = [tf.keras.Input((sizes[0],))]
    for index, units in enumerate(sizes[1:], start=1):
        activation = "relu" if index < len(sizes) - 1 else None
        layers.append(tf.keras.layers.Dense(units, activation=activation))
    model = tf.keras.Sequential(layers)

    weights = []
    for layer in range(1, len(sizes)):
        weights += [inputs[f"kernel_{layer}"], inputs[f"bias_{layer}"]]
    model.set_weights(weights)
    return model


def seed_step(inputs: dict) -> Prepared:
    model = _dense_model(inputs, (10, 64, 10))
    x = tf.constant(inputs["x"])
    rate_1, rate_2 = SEED_STEP_LEARNING_RATES

    def step():
        with tf.GradientTape() as tape:
            predictions = model(x)
        kernel_1, bias_1, kernel_2, bias_2 = model.trainable_variables
        gradients = tape.gradient(predictions, [kernel_1, bias_1, kernel_2, bias_2])
        return (
            kernel_1 - rate_1 * gradients[0],
            kernel_2 - rate_2 * gradients[2],
            gradients[1],
            gradients[3],
        )

    return Prepared(step, checked=_numpy_all)


def mlp_batch(inputs: dict) -> Prepared:
    model = _dense_model(inputs, (784, 256, 256, 10))
    x = tf.constant(inputs["x"])
    labels = tf.constant(inputs["labels"])
    optimizer = tf.keras.optimizers.SGD(learning_rate=MLP_LEARNING_RATE)

    def step():
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            )
        variables = model.trainable_variables
        gradients = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))
        return loss

    return Prepared(step)


def op_chain(inputs: dict) -> Prepared:
    x = tf.constant(inputs["x"])

    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for i in range(CHAIN_LENGTH):
                kind = i % 3
                if kind == 0:
                    y = tf.sin(y)
                elif kind == 1:
                    y = y * CHAIN_FACTOR
                else:
                    y = y + x
        return tape.gradient(y, x)

    return Prepared(step, checked=lambda result: (result.numpy(),))


def hessian(inputs: dict) -> Prepared:
    w = tf.constant(inputs["w"])
    x = tf.constant(inputs["x"])
    column = (x.shape[0], 1)

    def step():
        with tf.GradientTape() as outer_tape:
            outer_tape.watch(x)
            with tf.GradientTape() as inner_tape:
                inner_tape.watch(x)
                f = tf.reduce_sum(tf.tanh(tf.matmul(w, tf.reshape(x, column))))
            gradient = inner_tape.gradient(f, x)
        return outer_tape.jacobian(gradient, x)

    return Prepared(step, checked=lambda result: (result.numpy(),))


def jacobian(inputs: dict) -> Prepared:
    a = tf.constant(inputs["a"])
    x = tf.constant(inputs["x"])
    column = (x.shape[0], 1)
    flat = (a.shape[0],)

    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.tanh(tf.reshape(tf.matmul(a, tf.reshape(x, column)), flat))
        return tape.jacobian(y, x)

    return Prepared(step, checked=lambda result: (result.numpy(),))


SETUPS = {"W1": seed_step, "W2": mlp_batch, "W3": op_chain, "W4": hessian, "W5": jacobian}
