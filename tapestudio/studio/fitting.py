"""Fitting a project's model, objective and batch size to the data it trains on.

The data and model panels call these after the user picks other data or another objective,
so that the edit builds. The input size follows the feature columns, the objective is one the
data allows, and the output layer has the units the objective needs.
"""

from __future__ import annotations

from tapestudio.studio.dataset import Dataset
from tapestudio.studio.objectives import default_objective, objective_misfit, output_units
from tapestudio.studio.project import Project
from tapestudio.studio.training_data import validation_count


def fit_project_to_data(
    project: Project, dataset: Dataset, previous: Dataset | None = None
) -> list[str]:
    """Change ``project`` in place so that its model and objective fit ``dataset``.

    Sets the input size to the number of feature columns, except for ``normal`` data, whose
    columns follow the input size. Replaces an objective that does not fit by
    ``default_objective`` and sets the last layer's units to what the objective needs. Turns
    a batch size larger than the training part into full-batch training. When ``previous``,
    the data the project trained on before, has another task (no labels, classification or
    regression), the objective becomes the new data's default even if the old one still fits,
    so that moving from unlabelled data to a labelled set trains on the labels. Returns one
    sentence per change, for the status bar; an empty list when nothing changed.
    """
    notes = []
    columns = int(dataset.features.shape[1])
    if project.data.kind != "normal" and project.model.input_size != columns:
        project.model.input_size = columns
        notes.append(f"Input size set to {columns}, the number of feature columns.")

    reason = objective_misfit(project.objective, dataset)
    task_changed = previous is not None and previous.task != dataset.task
    if reason is not None:
        old = project.objective
        project.objective = default_objective(dataset)
        notes.append(f"Objective set to {project.objective}: {old} {reason}.")
    elif task_changed and project.objective != default_objective(dataset):
        project.objective = default_objective(dataset)
        notes.append(f"Objective set to {project.objective} for {dataset.task} data.")

    notes.extend(fit_output_units(project, dataset))

    training = dataset.samples - validation_count(dataset.samples, project.data.validation_fraction)
    batch_size = project.data.batch_size
    if batch_size is not None and batch_size > training:
        project.data.batch_size = None
        notes.append(
            f"Full-batch training: the batch size {batch_size} is larger than the "
            f"{training} training samples."
        )
    return notes


def fit_output_units(project: Project, dataset: Dataset) -> list[str]:
    """Set the last layer's units to what ``project.objective`` needs on ``dataset``, in place.

    Returns a one-sentence note when the units changed, else an empty list.
    """
    units = output_units(project.objective, dataset)
    if units is None or not project.model.layers:
        return []

    last = project.model.layers[-1]
    if last.units == units:
        return []
    last.units = units
    noun = "unit" if units == 1 else "units"
    return [f"Output layer set to {units} {noun} for {project.objective}."]
