"""Two tapes recording at once, each watching its own constant.

Run it with ``python multiple_tapes.py``. Apart from the first import, this is TensorFlow code:
replace ``import tapestudio as tf`` with ``import tensorflow as tf`` and it prints the same.
"""

import tapestudio as tf

x0 = tf.constant(5.0)
x1 = tf.constant(8.0)

# One `with` statement opens both tapes; every op is offered to each of them, and each tape
# records only the ops that touch what it watches.
with tf.GradientTape() as tape0, tf.GradientTape() as tape1:
    tape0.watch(x0)
    tape1.watch(x1)

    y0 = tf.math.sin(x0)
    y1 = tf.nn.sigmoid(x1)

dy0_dx0 = tape0.gradient(y0, x0)
dy1_dx1 = tape1.gradient(y1, x1)

print("Gradient of y0 with respect to x0:", dy0_dx0.numpy())
print("Gradient of y1 with respect to x1:", dy1_dx1.numpy())
