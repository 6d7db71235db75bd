"""Edits of a project's Dense layers that keep the tapes watching the same layers.

Variables are named by layer position, as Keras names them: the first layer is ``dense``, the
second ``dense_1`` and so on. Adding, removing or moving a layer renumbers the layers after
it, and these functions rename the tapes' variables the same way, so that each tape keeps
watching the layers it watched before under their new names. Variables of a removed layer,
and the bias of a layer whose bias was switched off, are dropped from every tape.

Every function returns an edited deep copy and leaves its argument unchanged. Raises
IndexError for a layer index out of range and ValueError for removing the only layer.
"""

from __future__ import annotations

import copy

from tapestudio.studio.project import LayerSpec, Project, layer_name


def add_layer(
    project: Project, index: int | None = None, layer: LayerSpec | None = None
) -> Project:
    """Insert ``layer`` at ``index`` (default: append a copy of the last layer's width).

    A new layer starts linear with a bias and Keras' default initializers.
    """
    count = len(project.model.layers)
    index = count if index is None else index
    if not 0 <= index <= count:
        raise IndexError(f"layer position {index} out of range 0 to {count}")

    if layer is None:
        units = project.model.layers[-1].units if count else 1
        layer = LayerSpec(units=units)

    positions = [old if old < index else old + 1 for old in range(count)]
    edited = copy.deepcopy(project)
    edited.model.layers.insert(index, copy.deepcopy(layer))
    rename_tape_variables(project, edited, positions)
    return edited


def remove_layer(project: Project, index: int) -> Project:
    """Remove the layer at ``index``; its variables leave every tape."""
    count = len(project.model.layers)
    _check_index(index, count)
    if count == 1:
        raise ValueError("the model needs at least one layer; add another before removing this one")

    positions: list[int | None] = []
    for old in range(count):
        if old == index:
            positions.append(None)
        else:
            positions.append(old - 1 if old > index else old)

    edited = copy.deepcopy(project)
    del edited.model.layers[index]
    rename_tape_variables(project, edited, positions)
    return edited


def move_layer(project: Project, index: int, new_index: int) -> Project:
    """Move the layer at ``index`` to ``new_index``; the tapes follow the moved layers.

    Example: in a model of three layers, moving layer 0 to position 2 turns ``dense`` into
    ``dense_2``, ``dense_1`` into ``dense`` and ``dense_2`` into ``dense_1``. The kernels get
    the shapes of their new places, and new initial weights.
    """
    count = len(project.model.layers)
    _check_index(index, count)
    _check_index(new_index, count)

    order = list(range(count))
    order.insert(new_index, order.pop(index))
    positions = [order.index(old) for old in range(count)]

    edited = copy.deepcopy(project)
    edited.model.layers = [copy.deepcopy(project.model.layers[old]) for old in order]
    rename_tape_variables(project, edited, positions)
    return edited


def edit_layer(project: Project, index: int, **fields: object) -> Project:
    """Set fields of the layer at ``index`` (``units``, ``activation``, ``use_bias``, ...).

    Raises TypeError for a field that LayerSpec does not have. Switching the bias off drops
    the layer's bias from every tape.
    """
    _check_index(index, len(project.model.layers))
    edited = copy.deepcopy(project)
    layer = edited.model.layers[index]
    for name, value in fields.items():
        if not hasattr(layer, name):
            raise TypeError(f"a layer has no field {name!r}")
        setattr(layer, name, value)

    rename_tape_variables(project, edited, list(range(len(project.model.layers))))
    return edited


def rename_tape_variables(old: Project, new: Project, positions: list[int | None]) -> None:
    """Rewrite the tapes of ``new`` after a layer edit of ``old``, in place.

    ``positions[i]`` is the index in ``new`` of the layer at index ``i`` in ``old``, or None
    when it was removed. A variable that ``new`` does not have is dropped from every tape.
    """
    renamed = {}
    for old_index, new_index in enumerate(positions):
        if new_index is not None:
            renamed[layer_name(old_index)] = layer_name(new_index)

    valid = set(new.variable_names())
    for tape in new.tapes:
        paths = []
        for path in tape.variables:
            layer, _, variable = path.partition("/")
            if layer in renamed:
                paths.append(f"{renamed[layer]}/{variable}")
        tape.variables = [path for path in paths if path in valid]


def _check_index(index: int, count: int) -> None:
    if not 0 <= index < count:
        raise IndexError(f"layer index {index} out of range 0 to {count - 1}")
