"""Shape and selection ops: reshape, transpose, broadcast, concat, stack, indexing, where,
identity, stop_gradient, and tensors built from shapes (zeros, ones, fill, eye, ranges).
"""

from __future__ import annotations

import numpy as np

from ..core import NotBatchable, apply, define_op
from ..dtypes import as_dtype, float32
from ..errors import InvalidArgumentError
from ..tensor import EagerTensor, Tensor, array_of
from ._convert import to_tensor

__all__ = [
    "reshape", "transpose", "expand_dims", "squeeze", "broadcast_to", "concat", "stack",
    "unstack", "where", "identity", "stop_gradient", "zeros", "ones", "zeros_like", "ones_like",
    "fill", "eye", "one_hot", "argmax", "argmin", "shape", "size", "rank", "getitem", "gather",
    "tile", "range_", "linspace", "split", "clip_by_value", "clip_by_norm",
]


# -- reshaping ---------------------------------------------------------------------------------

def _reshape_forward(x, shape):
    return np.reshape(x, shape)


_RESHAPE = define_op(
    "Reshape", _reshape_forward,
    lambda g, out, x, shape: reshape(g, x._value.shape),
    numpy_vjps=(lambda g, out, x, shape: g.reshape(g.shape[:g.ndim - out.ndim] + x.shape),),
)


def reshape(tensor, shape, name=None) -> Tensor:
    """Return ``tensor`` with a new shape; one dimension may be -1.

    Raises:
        InvalidArgumentError: the element counts differ.
    """
    x = to_tensor(tensor)
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    shape = (int(shape),) if np.ndim(shape) == 0 and not isinstance(shape, tuple) else tuple(int(d) for d in shape)
    try:
        np.empty(x._value.shape, dtype=np.bool_).reshape(shape)
    except ValueError:
        raise InvalidArgumentError(
            f"Input to reshape is a tensor with {x._value.size} values, but the requested shape "
            f"{list(shape)} does not have that many."
        ) from None
    return apply(_RESHAPE, (x,), {"shape": shape})


def _transpose_vjp(g, out, x, perm):
    return transpose(g, tuple(np.argsort(perm)))


def _transpose_numpy_vjp(g, out, x, perm):
    lead = g.ndim - out.ndim
    return g.transpose(tuple(range(lead)) + tuple(lead + int(p) for p in np.argsort(perm)))


_TRANSPOSE = define_op(
    "Transpose", lambda x, perm: np.transpose(x, perm), _transpose_vjp,
    numpy_vjps=(_transpose_numpy_vjp,),
)


def transpose(a, perm=None, conjugate=False, name=None) -> Tensor:
    """Permute the axes of ``a``; the default reverses them.

    Raises:
        InvalidArgumentError: ``perm`` is not a permutation of the axes.
    """
    x = to_tensor(a)
    ndim = x._value.ndim
    perm = tuple(range(ndim))[::-1] if perm is None else tuple(int(p) % max(ndim, 1) for p in perm)
    if sorted(perm) != list(range(ndim)):
        raise InvalidArgumentError(f"transpose expects a permutation of {ndim} axes, got {perm}.")
    return apply(_TRANSPOSE, (x,), {"perm": perm})


def expand_dims(input, axis, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Insert an axis of length 1 at ``axis``."""
    x = to_tensor(input)
    ndim = x._value.ndim
    axis = int(axis)
    if not -ndim - 1 <= axis <= ndim:
        raise InvalidArgumentError(f"Invalid axis {axis} for expand_dims of a rank-{ndim} tensor.")
    shape = list(x._value.shape)
    shape.insert(axis % (ndim + 1), 1)
    return reshape(x, shape)


def squeeze(input, axis=None, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Remove axes of length 1 (all of them, or those in ``axis``).

    Raises:
        InvalidArgumentError: an axis in ``axis`` is not of length 1.
    """
    x = to_tensor(input)
    shape = x._value.shape
    if axis is None:
        new_shape = [d for d in shape if d != 1]
    else:
        axes = {int(a) % len(shape) for a in ((axis,) if np.ndim(axis) == 0 else axis)}
        for a in axes:
            if shape[a] != 1:
                raise InvalidArgumentError(
                    f"Can not squeeze dim[{a}], expected a dimension of 1, got {shape[a]}"
                )
        new_shape = [d for i, d in enumerate(shape) if i not in axes]
    return reshape(x, new_shape)


def _broadcast_to_vjp(g, out, x, shape):
    from .math_ops import unbroadcast

    return unbroadcast(g, x._value.shape)


def _broadcast_to_numpy_vjp(g, out, x, shape):
    from .math_ops import unbroadcast_array

    return unbroadcast_array(g, x.shape, out)


_BROADCAST_TO = define_op(
    "BroadcastTo", lambda x, shape: np.broadcast_to(x, shape), _broadcast_to_vjp,
    numpy_vjps=(_broadcast_to_numpy_vjp,),
)


def broadcast_to(input, shape, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Broadcast ``input`` to ``shape`` with NumPy's rules.

    Raises:
        InvalidArgumentError: the shapes are not compatible.
    """
    x = to_tensor(input)
    shape = tuple(int(d) for d in (shape._value.tolist() if isinstance(shape, Tensor) else shape))
    if x._value.shape == shape:
        return x
    try:
        np.broadcast_shapes(x._value.shape, shape)
    except ValueError:
        raise InvalidArgumentError(
            f"Unable to broadcast tensor of shape {list(x._value.shape)} to shape {list(shape)}."
        ) from None
    return apply(_BROADCAST_TO, (x,), {"shape": shape})


def tile(input, multiples, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Repeat ``input`` ``multiples[i]`` times along axis i."""
    x = to_tensor(input)
    multiples = [int(m) for m in (multiples._value if isinstance(multiples, Tensor) else multiples)]
    if len(multiples) != x._value.ndim:
        raise InvalidArgumentError(
            f"Expected multiples argument to be a vector of length {x._value.ndim} but got length "
            f"{len(multiples)}"
        )
    expanded_shape, tiled_shape, final_shape = [], [], []
    for size, m in zip(x._value.shape, multiples):
        expanded_shape += [1, size]
        tiled_shape += [m, size]
        final_shape.append(size * m)
    return reshape(broadcast_to(reshape(x, expanded_shape), tiled_shape), final_shape)


# -- joining and splitting ---------------------------------------------------------------------

def _concat_vjp(index, g, out, *inputs, axis):
    start = sum(x._value.shape[axis] for x in inputs[:index])
    stop = start + inputs[index]._value.shape[axis]
    key = (slice(None),) * axis + (slice(start, stop),)
    return getitem(g, key)


_CONCAT = define_op("ConcatV2", lambda *xs, axis: np.concatenate(xs, axis=axis), variadic=_concat_vjp)


def _stack_vjp(index, g, out, *inputs, axis):
    key = (slice(None),) * axis + (index,)
    return getitem(g, key)


_STACK = define_op("Pack", lambda *xs, axis: np.stack(xs, axis=axis), variadic=_stack_vjp)


def _same_dtype(values: list, op_name: str) -> tuple:
    tensors = [to_tensor(v) for v in values]
    if not tensors:
        raise ValueError(f"{op_name} needs at least one tensor.")
    tensor_dtypes = {t._value.dtype for t in tensors}
    explicit = [v for v in values if isinstance(v, Tensor) or hasattr(v, "_read_for_op")]
    if explicit and len(tensor_dtypes) > 1:
        reference = to_tensor(explicit[0])._value.dtype
        converted = []
        for value, tensor in zip(values, tensors):
            if isinstance(value, Tensor) or hasattr(value, "_read_for_op"):
                converted.append(tensor)
            else:
                converted.append(EagerTensor(np.asarray(array_of(value), dtype=reference)))
        tensors = converted
        tensor_dtypes = {t._value.dtype for t in tensors}
    if len(tensor_dtypes) > 1:
        names = sorted(np.dtype(d).name for d in tensor_dtypes)
        raise InvalidArgumentError(f"{op_name} needs tensors of one dtype, got {names}.")
    return tuple(tensors)


def concat(values, axis, name=None) -> Tensor:
    """Join tensors along an existing axis.

    Raises:
        InvalidArgumentError: ranks, dtypes or the other dimensions differ.
    """
    tensors = _same_dtype(list(values), "concat")
    ndim = tensors[0]._value.ndim
    axis = int(axis) % max(ndim, 1)
    try:
        np.concatenate([np.empty(t._value.shape, np.bool_) for t in tensors], axis=axis)
    except ValueError as error:
        raise InvalidArgumentError(f"ConcatOp: {error}") from None
    return apply(_CONCAT, tensors, {"axis": axis})


def stack(values, axis=0, name=None) -> Tensor:
    """Join tensors of one shape along a new axis.

    Raises:
        InvalidArgumentError: shapes or dtypes differ.
    """
    tensors = _same_dtype(list(values), "stack")
    shapes = {t._value.shape for t in tensors}
    if len(shapes) > 1:
        raise InvalidArgumentError(
            f"Shapes of all inputs must match: got {[list(t._value.shape) for t in tensors]}"
        )
    axis = int(axis) % (tensors[0]._value.ndim + 1)
    return apply(_STACK, tensors, {"axis": axis})


def unstack(value, num=None, axis=0, name=None) -> list:
    """Split a tensor into a list of tensors along ``axis``, removing that axis."""
    x = to_tensor(value)
    axis = int(axis) % max(x._value.ndim, 1)
    count = x._value.shape[axis]
    return [getitem(x, (slice(None),) * axis + (i,)) for i in range(count)]


def split(value, num_or_size_splits, axis=0, num=None, name=None) -> list:
    """Split ``value`` along ``axis`` into equal parts or parts of the given sizes.

    Raises:
        InvalidArgumentError: the sizes do not add up to the axis length.
    """
    x = to_tensor(value)
    axis = int(axis) % max(x._value.ndim, 1)
    length = x._value.shape[axis]
    if np.ndim(num_or_size_splits) == 0:
        parts = int(num_or_size_splits)
        if parts <= 0 or length % parts:
            raise InvalidArgumentError(
                f"Number of ways to split should evenly divide the split dimension, but got "
                f"split_dim {axis} (size = {length}) and num_split {parts}"
            )
        sizes = [length // parts] * parts
    else:
        sizes = [int(s) for s in num_or_size_splits]
        if sum(sizes) != length:
            raise InvalidArgumentError(
                f"Determined shape must either match input shape along split_dim exactly if fully "
                f"specified, or be less than the size of the input along split_dim; sizes {sizes} "
                f"add up to {sum(sizes)}, not {length}."
            )
    pieces, start = [], 0
    for size in sizes:
        pieces.append(getitem(x, (slice(None),) * axis + (slice(start, start + size),)))
        start += size
    return pieces


# -- indexing ----------------------------------------------------------------------------------

def _index_key(key):
    """Convert tensors inside an index to NumPy values."""
    if isinstance(key, tuple):
        return tuple(_index_key(k) for k in key)
    if isinstance(key, Tensor):
        return key._value
    return key


def _scatter_forward(g, shape, key):
    result = np.zeros(shape, dtype=g.dtype)
    if _is_basic(key):
        result[key] = g
    else:
        np.add.at(result, key, g)
    return result


def _is_basic(key) -> bool:
    parts = key if isinstance(key, tuple) else (key,)
    return all(isinstance(k, (int, np.integer, slice)) or k is None or k is Ellipsis for k in parts)


def _getitem_numpy_vjp(g, out, x, key):
    lead = g.ndim - out.ndim
    if lead == 0:
        return _scatter_forward(g, x.shape, key)
    if not _is_basic(key):
        raise NotBatchable("a Jacobian row batch through advanced indexing")
    parts = key if isinstance(key, tuple) else (key,)
    return _scatter_forward(g, g.shape[:lead] + x.shape, (slice(None),) * lead + parts)


_GETITEM_GRAD = define_op(
    "StridedSliceGrad", _scatter_forward,
    lambda gg, out, g, shape, key: getitem(gg, key),
)
_GETITEM = define_op(
    "StridedSlice", lambda x, key: np.asarray(x[key]),
    lambda g, out, x, key: apply(_GETITEM_GRAD, (g,), {"shape": x._value.shape, "key": key}),
    numpy_vjps=(_getitem_numpy_vjp,),
)


def getitem(tensor, key) -> Tensor:
    """Index or slice a tensor with NumPy's rules (``tensor[key]``).

    Raises:
        InvalidArgumentError: an index is out of range.
    """
    x = to_tensor(tensor)
    key = _index_key(key)
    try:
        x._value[key]
    except IndexError as error:
        raise InvalidArgumentError(f"Index out of range for shape {list(x._value.shape)}: {error}") from None
    return apply(_GETITEM, (x,), {"key": key})


def gather(params, indices, axis=None, batch_dims=0, name=None) -> Tensor:
    """Take the slices of ``params`` at ``indices`` along ``axis`` (default 0)."""
    x = to_tensor(params)
    axis = 0 if axis is None else int(axis) % max(x._value.ndim, 1)
    index = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    if index.size and (index.min() < -x._value.shape[axis] or index.max() >= x._value.shape[axis]):
        raise InvalidArgumentError(
            f"indices contains a value outside [0, {x._value.shape[axis]}) for axis {axis}."
        )
    return getitem(x, (slice(None),) * axis + (index,))


# -- selection ---------------------------------------------------------------------------------

def _where_vjp_x(g, out, condition, x, y):
    from .math_ops import unbroadcast

    return unbroadcast(where(condition, g, _zeros(g)), x._value.shape)


def _where_vjp_y(g, out, condition, x, y):
    from .math_ops import unbroadcast

    return unbroadcast(where(condition, _zeros(g), g), y._value.shape)


def _where_numpy_vjp_x(g, out, condition, x, y):
    from .math_ops import unbroadcast_array

    return unbroadcast_array(np.where(condition, g, np.zeros_like(g)), x.shape, out)


def _where_numpy_vjp_y(g, out, condition, x, y):
    from .math_ops import unbroadcast_array

    return unbroadcast_array(np.where(condition, np.zeros_like(g), g), y.shape, out)


_WHERE = define_op(
    "SelectV2", np.where, None, _where_vjp_x, _where_vjp_y,
    numpy_vjps=(None, _where_numpy_vjp_x, _where_numpy_vjp_y),
)


def _zeros(like: Tensor) -> Tensor:
    return EagerTensor(np.zeros_like(like._value))


def where(condition, x=None, y=None, name=None) -> Tensor:
    """Choose elements from ``x`` where ``condition`` is true, else from ``y`` (broadcasting).

    With only ``condition``, return the coordinates of its true elements as int64.
    The gradient flows only to the chosen elements, but an infinite or NaN gradient in the
    branch not chosen still multiplies by 0 and gives NaN, as in TensorFlow.

    Raises:
        ValueError: only one of ``x`` and ``y`` is given.
    """
    condition = to_tensor(condition)
    if x is None and y is None:
        return EagerTensor(np.argwhere(condition._value).astype(np.int64))
    if x is None or y is None:
        raise ValueError("x and y must both be non-None or both be None.")
    from ._convert import operands

    x, y = operands(x, y, "SelectV2")
    return apply(_WHERE, (condition, x, y))


def clip_by_value(t, clip_value_min, clip_value_max, name=None) -> Tensor:
    """Clip ``t`` to ``[clip_value_min, clip_value_max]``; no gradient flows where it clips."""
    from .math_ops import maximum, minimum

    return minimum(maximum(t, clip_value_min), clip_value_max)


_IDENTITY = define_op(
    "Identity", lambda x: x, lambda g, out, x: g, numpy_vjps=(lambda g, out, x: g,),
)
_STOP_GRADIENT = define_op("StopGradient", lambda x: x)


def identity(input, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Return a new tensor with the same value; the gradient passes through unchanged."""
    return apply(_IDENTITY, (to_tensor(input),))


def stop_gradient(input, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    """Return the same value, but no gradient flows back through the result."""
    return apply(_STOP_GRADIENT, (to_tensor(input),))


# -- construction (never differentiable) ------------------------------------------------------

def _shape_tuple(shape) -> tuple:
    if isinstance(shape, Tensor):
        shape = shape._value.tolist()
    if np.ndim(shape) == 0:
        return (int(shape),)
    return tuple(int(d) for d in shape)


def zeros(shape, dtype=float32, name=None) -> Tensor:
    return EagerTensor(np.zeros(_shape_tuple(shape), as_dtype(dtype)._np))


def ones(shape, dtype=float32, name=None) -> Tensor:
    return EagerTensor(np.ones(_shape_tuple(shape), as_dtype(dtype)._np))


def zeros_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    x = to_tensor(input)
    return EagerTensor(np.zeros(x._value.shape, as_dtype(dtype)._np if dtype else x._value.dtype))


def ones_like(input, dtype=None, name=None) -> Tensor:  # noqa: A002 - TensorFlow's name
    x = to_tensor(input)
    return EagerTensor(np.ones(x._value.shape, as_dtype(dtype)._np if dtype else x._value.dtype))


def fill(dims, value, name=None) -> Tensor:
    """Return a tensor of shape ``dims`` filled with ``value`` (its dtype as ``constant`` gives)."""
    scalar = array_of(value)
    return EagerTensor(np.full(_shape_tuple(dims), scalar, dtype=scalar.dtype))


def eye(num_rows, num_columns=None, batch_shape=None, dtype=float32, name=None) -> Tensor:
    matrix = np.eye(int(num_rows), None if num_columns is None else int(num_columns), dtype=as_dtype(dtype)._np)
    if batch_shape:
        matrix = np.broadcast_to(matrix, tuple(batch_shape) + matrix.shape).copy()
    return EagerTensor(matrix)


def range_(start, limit=None, delta=1, dtype=None, name=None) -> Tensor:
    # Named with a trailing underscore so that the builtin range stays usable in this module;
    # the public namespaces export it as ``range``.
    """Return the numbers from ``start`` up to but not including ``limit``, step ``delta``."""
    if limit is None:
        start, limit = 0, start
    values = [start, limit, delta]
    if dtype is not None:
        numpy_dtype = as_dtype(dtype)._np
    elif any(isinstance(v, float) for v in values):
        numpy_dtype = np.float32
    else:
        numpy_dtype = np.int32
    return EagerTensor(np.arange(start, limit, delta, dtype=numpy_dtype))


def linspace(start, stop, num, name=None, axis=0) -> Tensor:
    """Return ``num`` evenly spaced values from ``start`` to ``stop`` inclusive (float32 for
    Python numbers)."""
    start_array = array_of(start)
    dtype = start_array.dtype if start_array.dtype.kind == "f" else np.float32
    return EagerTensor(np.linspace(start_array, array_of(stop), int(num), axis=axis).astype(dtype))


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None) -> Tensor:
    """Return one-hot vectors for integer ``indices``; an index outside ``[0, depth)`` gives a
    row of ``off_value``."""
    index = np.asarray(indices._value if isinstance(indices, Tensor) else indices)
    numpy_dtype = as_dtype(dtype)._np if dtype is not None else np.float32
    on = 1 if on_value is None else on_value
    off = 0 if off_value is None else off_value
    result = np.where(index[..., None] == np.arange(int(depth)), on, off).astype(numpy_dtype)
    if axis is not None and axis != -1:
        result = np.moveaxis(result, -1, axis)
    return EagerTensor(result)


def argmax(input, axis=None, output_type=None, name=None) -> Tensor:  # noqa: A002
    """Return the index of the largest value along ``axis`` (default 0) as int64."""
    x = to_tensor(input)
    result = np.argmax(x._value, axis=0 if axis is None else int(axis))
    return EagerTensor(np.asarray(result, dtype=as_dtype(output_type)._np if output_type else np.int64))


def argmin(input, axis=None, output_type=None, name=None) -> Tensor:  # noqa: A002
    """Return the index of the smallest value along ``axis`` (default 0) as int64."""
    x = to_tensor(input)
    result = np.argmin(x._value, axis=0 if axis is None else int(axis))
    return EagerTensor(np.asarray(result, dtype=as_dtype(output_type)._np if output_type else np.int64))


def shape(input, out_type=None, name=None) -> Tensor:  # noqa: A002
    x = to_tensor(input)
    return EagerTensor(np.asarray(x._value.shape, dtype=as_dtype(out_type)._np if out_type else np.int32))


def size(input, out_type=None, name=None) -> Tensor:  # noqa: A002
    x = to_tensor(input)
    return EagerTensor(np.asarray(x._value.size, dtype=as_dtype(out_type)._np if out_type else np.int32))


def rank(input, name=None) -> Tensor:  # noqa: A002
    return EagerTensor(np.int32(to_tensor(input)._value.ndim))


def clip_by_norm(t, clip_norm, axes=None, name=None) -> Tensor:
    """Scale ``t`` so that its L2 norm over ``axes`` (all axes when None) is at most ``clip_norm``.

    Built from engine ops as TensorFlow builds it, so a zero tensor gets a zero gradient
    rather than NaN.
    """
    from .math_ops import divide, greater, maximum, multiply, sqrt
    from .reduction_ops import reduce_sum

    t = to_tensor(t)
    squared_sum = reduce_sum(multiply(t, t), axis=axes, keepdims=True)
    positive = greater(squared_sum, 0.0)
    safe_sum = where(positive, squared_sum, ones_like(squared_sum))
    norm = where(positive, sqrt(safe_sum), squared_sum)
    return divide(multiply(t, clip_norm), maximum(norm, clip_norm))
