"""The headless studio: projects, data, the training runner, history and CSV export.

Imports the engine, keras and optimizers layers and never Qt, so everything here runs and is
tested without a display. The GUI and the command line are built on these names.
"""

from tapestudio.studio.datasets import Dataset, bundled_dataset_names
from tapestudio.studio.errors import ProjectError, RunError
from tapestudio.studio.examples import (
    example_descriptions,
    list_examples,
    load_example,
    resolve_project,
)
from tapestudio.studio.export import write_csv
from tapestudio.studio.history import METRICS, History, StepRecord
from tapestudio.studio.project import (
    DATA_KINDS,
    OBJECTIVES,
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    TapeSpec,
    load_project,
    project_from_dict,
    project_to_dict,
    save_project,
)
from tapestudio.studio.session import Session, run

__all__ = [
    "DATA_KINDS",
    "METRICS",
    "OBJECTIVES",
    "DataSpec",
    "Dataset",
    "History",
    "LayerSpec",
    "ModelSpec",
    "OptimizerSpec",
    "Project",
    "ProjectError",
    "RunError",
    "Session",
    "StepRecord",
    "TapeSpec",
    "bundled_dataset_names",
    "example_descriptions",
    "list_examples",
    "load_example",
    "load_project",
    "project_from_dict",
    "project_to_dict",
    "resolve_project",
    "run",
    "save_project",
    "write_csv",
]
