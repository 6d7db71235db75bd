"""Per-layer learning rates: each layer's kernel is updated with its own learning rate.

Two nested persistent tapes record the forward pass of a two-layer network; the inner tape's
gradients of the predictions give each layer's update. Apart from the first import, this is
TensorFlow code: replace ``import tapestudio as tf`` with ``import tensorflow as tf``.
"""

import tapestudio as tf

tf.random.set_seed(0)  # the same input and initial weights on every run

model = tf.keras.Sequential([
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(10),
])
inputs = tf.random.normal((1, 10))

learning_rates = [0.01, 0.001]

with tf.GradientTape(persistent=True) as outer_tape:
    with tf.GradientTape(persistent=True) as inner_tape:
        predictions = model(inputs)

    # A non-scalar target means the sum of its elements.
    gradients = [
        inner_tape.gradient(predictions, layer.trainable_variables) for layer in model.layers
    ]

for layer, layer_gradients, learning_rate in zip(model.layers, gradients, learning_rates):
    kernel_gradient = layer_gradients[0]
    layer.kernel.assign_sub(learning_rate * kernel_gradient)

for layer, learning_rate in zip(model.layers, learning_rates):
    kernel = layer.get_weights()[0]
    print(f"{layer.name} kernel after an update with learning rate {learning_rate}:")
    print(kernel)

del inner_tape, outer_tape
