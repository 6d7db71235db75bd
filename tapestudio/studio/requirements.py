"""The plugins a project needs: which are not installed, how to install them, which ran.

A project names ops (each layer's activation) and optimizers (each tape's). A name that no
loaded entry point provides makes the project unusable until its plugin is installed:

- ``find_missing`` lists such names, each as a ``MissingPlugin`` with the known
  distribution that provides it and the command that installs it.
- ``load_with_stand_ins`` loads a project like ``resolve_project`` but replaces each missing
  activation with ``linear`` and each missing optimizer with ``SGD``, so that the app can open
  it and say so. The command line rejects such a project with ``MissingPluginsError``.
- ``plugin_distributions`` lists the plugin distributions and versions that a project uses,
  for ``run.json``.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from tapestudio import plugins
from tapestudio.studio.errors import ProjectError
from tapestudio.studio.examples import resolve_project
from tapestudio.studio.project import Project, load_project, project_from_dict, project_to_dict

__all__ = [
    "KNOWN_PROVIDERS", "STAND_IN_ACTIVATION", "STAND_IN_OPTIMIZER", "MissingPlugin", "MissingPluginsError",
    "describe_missing", "explain_stand_ins", "find_missing", "load_file_with_stand_ins", "load_with_stand_ins",
    "plugin_distributions", "project_with_stand_ins", "still_missing", "with_stand_ins",
]

OP = "op"
OPTIMIZER = "optimizer"

STAND_IN_ACTIVATION = "linear"
STAND_IN_OPTIMIZER = "SGD"

LIST_COMMAND = "tapestudio plugins list"
INSTALL_COMMAND = "tapestudio plugins install"

# The plugin distributions kept in TapeStudio's source tree (plugins/) and what they provide,
# so that a project naming one of these gets the command that installs it. A test checks this
# table against their pyproject.toml files.
KNOWN_PROVIDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "tapestudio-activations": {
        OP: ("gelu", "gelu_tanh", "hard_sigmoid", "hard_silu", "mish", "normal_cdf", "silu", "swish"),
        OPTIMIZER: (),
    },
    "tapestudio-optimizers": {
        OP: (),
        OPTIMIZER: ("Adamax", "Lion", "Nadam"),
    },
}


@dataclass(frozen=True)
class MissingPlugin:
    """An op or optimizer that a project names and no loaded plugin provides.

    Attributes:
        kind: ``"op"`` (a layer activation) or ``"optimizer"``.
        name: the name as the project spells it.
        fields: where the project names it, as ``model.layers[0].activation``.
        provider: the known distribution that provides the name, or None.
        reason: why an installed plugin that declares the name is not loaded, else "".
    """

    kind: str
    name: str
    fields: tuple[str, ...]
    provider: str | None = None
    reason: str = ""

    @property
    def role(self) -> str:
        """``"activation"`` or ``"optimizer"``, as the project uses the name."""
        return "activation" if self.kind == OP else OPTIMIZER

    def install_command(self) -> str | None:
        """Return the command that installs the known provider, or None when there is none."""
        if self.provider is None:
            return None
        return f"{INSTALL_COMMAND} {self.provider}"

    def describe(self) -> str:
        """Return one sentence: what is missing, where the project uses it and what to do."""
        where = ", ".join(self.fields)
        subject = f"{self.role.capitalize()} {self.name!r} ({where})"
        if self.reason:
            return f"{subject} is not available: {self.reason} Run '{LIST_COMMAND}' for the details."
        if self.provider is not None:
            return (
                f"{subject} is not installed; the plugin {self.provider} provides it: install it with "
                f"'{self.install_command()}' (or, in a TapeStudio source folder, "
                f"'{INSTALL_COMMAND} plugins/{self.provider}')."
            )
        return (
            f"{subject} is not installed, and no plugin known to TapeStudio provides it: install the "
            f"plugin that does with '{INSTALL_COMMAND} PATH_OR_REQUIREMENT'; '{LIST_COMMAND}' shows what "
            "is installed."
        )


class MissingPluginsError(ProjectError):
    """A project names ops or optimizers that are not installed; ``missing`` lists them."""

    def __init__(self, source: str | None, missing: list[MissingPlugin]) -> None:
        self.missing = list(missing)
        super().__init__(source, None, describe_missing(missing))


def describe_missing(missing: list[MissingPlugin]) -> str:
    """Return one line that names every missing plugin and how to install it."""
    return "the project needs plugins that are not installed. " + " ".join(item.describe() for item in missing)


def explain_stand_ins(missing: list[MissingPlugin]) -> str:
    """Return the app's message for a project opened with stand-ins: one paragraph per name."""
    lines = ["This project needs plugins that are not installed:", ""]
    lines.extend(f"\N{BULLET} {item.describe()}" for item in missing)

    replaced = []
    for item in missing:
        stand_in = STAND_IN_ACTIVATION if item.kind == OP else STAND_IN_OPTIMIZER
        replaced.append(f"{stand_in} in place of {item.name}")
    lines += [
        "",
        f"The project opened with {', '.join(replaced)}, so its runs differ from the original. "
        "Saving it now writes these stand-ins. After installing the plugins (Plugins > Manage "
        "Plugins), open the project file again.",
    ]
    return "\n".join(lines)


def find_missing(data: Any) -> list[MissingPlugin]:
    """Return the ops and optimizers that the decoded project JSON ``data`` names and no loaded
    entry point provides, in project order.

    A field of the wrong type is skipped: reading the project reports it. An op that is loaded
    but is not an activation is not missing either; building the model reports it.
    """
    registry = plugins.current_registry()
    ops = set(registry.op_names())
    optimizers = {name.lower() for name in registry.optimizer_names()}

    uses: dict[tuple[str, str], list[str]] = {}
    for field, name in _activation_fields(data):
        if name not in ops:
            uses.setdefault((OP, name), []).append(field)
    for field, name in _optimizer_fields(data):
        if name.lower() not in optimizers:
            uses.setdefault((OPTIMIZER, name), []).append(field)

    return [
        MissingPlugin(kind, name, tuple(fields), _known_provider(kind, name), registry.explain_missing(kind, name))
        for (kind, name), fields in uses.items()
    ]


def still_missing(missing: list[MissingPlugin]) -> list[MissingPlugin]:
    """Return the items of ``missing`` that no loaded entry point provides yet (after a rescan)."""
    registry = plugins.current_registry()
    ops = set(registry.op_names())
    optimizers = {name.lower() for name in registry.optimizer_names()}
    return [
        item for item in missing
        if (item.kind == OP and item.name not in ops) or (item.kind == OPTIMIZER and item.name.lower() not in optimizers)
    ]


def _activation_fields(data: Any) -> list[tuple[str, str]]:
    model = data.get("model") if isinstance(data, dict) else None
    layers = model.get("layers") if isinstance(model, dict) else None
    if not isinstance(layers, list):
        return []

    found = []
    for index, layer in enumerate(layers):
        name = layer.get("activation") if isinstance(layer, dict) else None
        if isinstance(name, str) and name.strip():
            found.append((f"model.layers[{index}].activation", name))
    return found


def _optimizer_fields(data: Any) -> list[tuple[str, str]]:
    tapes = data.get("tapes") if isinstance(data, dict) else None
    if not isinstance(tapes, list):
        return []

    found = []
    for index, tape in enumerate(tapes):
        optimizer = tape.get("optimizer") if isinstance(tape, dict) else None
        name = optimizer.get("name") if isinstance(optimizer, dict) else None
        if isinstance(name, str) and name.strip():
            found.append((f"tapes[{index}].optimizer.name", name))
    return found


def _known_provider(kind: str, name: str) -> str | None:
    for distribution, provided in KNOWN_PROVIDERS.items():
        names = provided[kind]
        if name in names or (kind == OPTIMIZER and name.lower() in {known.lower() for known in names}):
            return distribution
    return None


# -- stand-ins -------------------------------------------------------------------------------


def with_stand_ins(data: dict, missing: list[MissingPlugin]) -> dict:
    """Return a copy of the decoded project ``data`` with the ``missing`` names replaced.

    A missing activation becomes ``linear``. A missing optimizer becomes ``SGD`` that keeps the
    tape's learning rate when it is a number; its other hyperparameters are dropped.
    """
    result = copy.deepcopy(data)
    missing_ops = {item.name for item in missing if item.kind == OP}
    missing_optimizers = {item.name for item in missing if item.kind == OPTIMIZER}

    model = result.get("model")
    for layer in _dicts(model.get("layers") if isinstance(model, dict) else None):
        if layer.get("activation") in missing_ops:
            layer["activation"] = STAND_IN_ACTIVATION

    for tape in _dicts(result.get("tapes")):
        optimizer = tape.get("optimizer")
        if isinstance(optimizer, dict) and optimizer.get("name") in missing_optimizers:
            tape["optimizer"] = {"name": STAND_IN_OPTIMIZER, "hyperparameters": _kept_learning_rate(optimizer)}
    return result


def _dicts(items: Any) -> list[dict]:
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _kept_learning_rate(optimizer: dict) -> dict[str, float]:
    values = optimizer.get("hyperparameters")
    rate = values.get("learning_rate") if isinstance(values, dict) else None
    if isinstance(rate, bool) or not isinstance(rate, (int, float)):
        return {}
    return {"learning_rate": rate}


def load_with_stand_ins(name_or_path: str | os.PathLike) -> tuple[Project, list[MissingPlugin]]:
    """Load a bundled example or a project file, as ``resolve_project`` does, replacing the ops
    and optimizers that are not installed.

    Returns the project and what was replaced (empty when the project needs nothing missing).
    The project keeps its source, so saving and relative data paths work as usual.

    Raises:
        ProjectError: the project is invalid for another reason, or cannot be read.
    """
    return _load(resolve_project, name_or_path)


def load_file_with_stand_ins(path: str | os.PathLike) -> tuple[Project, list[MissingPlugin]]:
    """Load the project file at ``path``, as ``load_project`` does, replacing the ops and
    optimizers that are not installed; see ``load_with_stand_ins``."""
    return _load(load_project, path)


def _load(loader: Callable[[Any], Project], name_or_path: str | os.PathLike) -> tuple[Project, list[MissingPlugin]]:
    try:
        project = loader(name_or_path)
    except ProjectError as error:
        # An unknown optimizer fails the project check, so read the file again on its own. A
        # file whose first problem is something else keeps that error.
        data = _read_json(name_or_path)
        missing = find_missing(data) if data is not None else []
        if not any(error.field in item.fields for item in missing):
            raise
    else:
        return project_with_stand_ins(project)

    path = Path(os.fspath(name_or_path)).expanduser()
    replaced = project_from_dict(with_stand_ins(data, missing), source=str(path))
    replaced.source = path
    return replaced, missing


def project_with_stand_ins(project: Project) -> tuple[Project, list[MissingPlugin]]:
    """Return ``project`` with missing activations and optimizers replaced, and what was replaced.

    Returns ``project`` itself when nothing is missing.

    Raises:
        ProjectError: the project with stand-ins is invalid.
    """
    data = project_to_dict(project)
    missing = find_missing(data)
    if not missing:
        return project, []

    replaced = project_from_dict(with_stand_ins(data, missing), source=project.describe_source())
    replaced.source = project.source
    return replaced, missing


def _read_json(name_or_path: str | os.PathLike) -> Any:
    path = Path(os.fspath(name_or_path)).expanduser()
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None


# -- provenance ------------------------------------------------------------------------------


def plugin_distributions(project: Project) -> list[dict[str, Any]]:
    """Return the plugin distributions that provide the project's ops and optimizers.

    Each item is ``{"distribution", "version", "ops", "optimizers"}``, sorted by distribution;
    TapeStudio's built-ins are left out. A name that no loaded entry point provides is left
    out too, since no version of it ran.
    """
    used = {}
    names = [(OP, layer.activation) for layer in project.model.layers]
    names += [(OPTIMIZER, tape.optimizer.name) for tape in project.tapes]

    for kind, name in names:
        status = plugins.status_of(kind, name)
        if status is None or not status.loaded or status.builtin:
            continue
        item = used.setdefault(
            status.distribution,
            {"distribution": status.distribution, "version": status.version, "ops": [], "optimizers": []},
        )
        listed = item["ops"] if kind == OP else item["optimizers"]
        if status.name not in listed:
            listed.append(status.name)

    return [used[distribution] for distribution in sorted(used, key=str.lower)]
