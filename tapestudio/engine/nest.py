"""Flatten nested lists, tuples and dicts of tensors, and pack flat lists back.

Dicts flatten in sorted key order and namedtuples keep their type, as ``tf.nest`` does.
"""

from __future__ import annotations

__all__ = ["flatten", "pack_sequence_as"]


def _is_namedtuple(value) -> bool:
    return isinstance(value, tuple) and hasattr(value, "_fields")


def flatten(structure) -> list:
    """Return the leaves of ``structure`` in depth-first order; a leaf flattens to ``[leaf]``."""
    if isinstance(structure, dict):
        leaves = []
        for key in sorted(structure):
            leaves.extend(flatten(structure[key]))
        return leaves
    if isinstance(structure, (list, tuple)):
        leaves = []
        for item in structure:
            if isinstance(item, (list, tuple, dict)):
                leaves.extend(flatten(item))
            else:
                leaves.append(item)
        return leaves
    return [structure]


def pack_sequence_as(structure, flat: list):
    """Return ``flat``'s items arranged in the shape of ``structure``.

    Raises:
        ValueError: ``flat`` has another number of items than ``structure`` has leaves.
    """
    if type(structure) in (list, tuple) and len(structure) == len(flat) and not any(
        isinstance(item, (list, tuple, dict)) for item in structure
    ):
        return type(structure)(flat)
    packed, used = _pack(structure, flat, 0)
    if used != len(flat):
        raise ValueError(f"Structure has {used} leaves but {len(flat)} values were given.")
    return packed


def _pack(structure, flat: list, start: int):
    if isinstance(structure, dict):
        packed = {}
        for key in sorted(structure):
            packed[key], start = _pack(structure[key], flat, start)
        return type(structure)((key, packed[key]) for key in structure), start
    if isinstance(structure, (list, tuple)):
        items = []
        for item in structure:
            value, start = _pack(item, flat, start)
            items.append(value)
        if _is_namedtuple(structure):
            return type(structure)(*items), start
        return type(structure)(items), start
    if start >= len(flat):
        raise ValueError(f"Structure has more leaves than the {len(flat)} values given.")
    return flat[start], start + 1
