"""The example projects bundled in tapestudio/resources/projects, and name-or-path lookup."""

from __future__ import annotations

import os
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from tapestudio.studio.errors import ProjectError
from tapestudio.studio.project import Project, load_project, project_from_text

_SUFFIX = ".json"


def _projects_folder() -> Traversable:
    return resources.files("tapestudio.resources").joinpath("projects")


def list_examples() -> list[str]:
    """Return the names of the bundled example projects, sorted (e.g. ``["iris", ...]``)."""
    names = []
    for entry in _projects_folder().iterdir():
        if entry.is_file() and entry.name.endswith(_SUFFIX):
            names.append(entry.name[: -len(_SUFFIX)])
    return sorted(names)


def load_example(name: str) -> Project:
    """Read the bundled example project ``name``.

    Raises ProjectError when there is no such example (or, which would be a packaging bug,
    when its file is invalid).
    """
    names = list_examples()
    if name not in names:
        problem = f"no example project {name!r}; the examples are: {', '.join(names)}"
        raise ProjectError(None, None, problem)

    file_name = f"{name}{_SUFFIX}"
    text = _projects_folder().joinpath(file_name).read_text(encoding="utf-8")
    project = project_from_text(text, source=f"example {file_name}")
    project.source = f"example {file_name}"
    return project


def example_descriptions() -> dict[str, str]:
    """Return each bundled example's name and one-line description, sorted by name."""
    return {name: load_example(name).description for name in list_examples()}


def resolve_project(name_or_path: str | os.PathLike) -> Project:
    """Load a bundled example by name or a project file by path.

    An argument that names an example is the example, unless a file of that name exists in
    the working folder. Raises ProjectError when it is neither, or when the file is invalid.
    """
    text = os.fspath(name_or_path)
    path = Path(text).expanduser()

    if path.is_file() or path.suffix == _SUFFIX or os.sep in text or "/" in text:
        return load_project(path)
    if text in list_examples():
        return load_example(text)

    problem = (
        f"{text!r} is neither an example project ({', '.join(list_examples())}) nor a project "
        "file; give an example name or the path of a .json project file"
    )
    raise ProjectError(None, None, problem)
