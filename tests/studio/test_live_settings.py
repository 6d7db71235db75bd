"""Tape settings changed between steps: when they apply, and the history events they leave."""

from __future__ import annotations

import numpy as np
import pytest

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    Session,
    TapeSpec,
    load_project,
    project_from_dict,
    project_to_dict,
    save_project,
)
from tapestudio.studio.errors import ProjectError
from tapestudio.studio.history import HistoryEvent


def linear_session(tapes: list[TapeSpec] | None = None) -> Session:
    """One linear Dense layer, objective sum: the kernel's gradient is the same every step."""
    if tapes is None:
        tapes = [TapeSpec("main", ["dense/kernel"], OptimizerSpec("SGD", {"learning_rate": 0.1}))]
    project = Project(
        name="linear",
        model=ModelSpec(4, [LayerSpec(3)]),
        data=DataSpec("normal", samples=2),
        objective="sum",
        seed=1,
        tapes=tapes,
    )
    return Session(project)


def update_norms(session: Session) -> np.ndarray:
    return session.history.series("main", "dense/kernel", "update_norm")


def test_learning_rate_change_applies_at_next_step():
    session = linear_session()
    session.step()
    session.step()

    session.set_hyperparameter("main", "learning_rate", 0.3)
    session.step()

    norms = update_norms(session)
    assert norms[2] == pytest.approx(3 * norms[1], rel=1e-5)


def test_learning_rate_change_recorded_as_event():
    session = linear_session()
    session.step()
    session.step()

    session.set_hyperparameter("main", "learning_rate", 0.3)
    session.step()

    assert session.history.events() == [HistoryEvent(3, "main: learning_rate 0.1 -> 0.3")]


def test_event_waits_for_next_step():
    session = linear_session()
    session.step()

    session.set_hyperparameter("main", "learning_rate", 0.3)

    assert session.history.events() == []


def test_unchanged_value_leaves_no_event():
    session = linear_session()
    session.step()

    session.set_hyperparameter("main", "learning_rate", 0.1)
    session.step()

    assert session.history.events() == []


def test_flag_change_recorded_as_event():
    session = linear_session()
    session.step()

    session.set_hyperparameter("main", "nesterov", True)
    session.step()

    assert session.history.events() == [HistoryEvent(2, "main: nesterov False -> True")]


def test_change_before_first_step_leaves_no_event():
    session = linear_session()

    session.set_hyperparameter("main", "learning_rate", 0.3)
    session.step()

    assert session.history.events() == []


def test_optimizer_change_keeps_history():
    session = linear_session()
    session.step()

    session.set_optimizer("main", "Adam")
    session.step()

    assert len(session.history) == 2
    assert session.project.tape("main").optimizer == OptimizerSpec("Adam", {"learning_rate": 0.1})


def test_optimizer_change_recorded_as_event():
    session = linear_session()
    session.step()

    session.set_optimizer("main", "Adam")
    session.step()

    events = session.history.events()
    assert events == [HistoryEvent(2, "main: optimizer SGD -> Adam (learning_rate=0.1)")]


def test_adam_first_step_moves_by_learning_rate():
    session = linear_session()
    session.step()

    session.set_optimizer("main", "Adam", {"learning_rate": 0.05})
    session.step()

    # Adam's first step from fresh state moves every entry by about the learning rate.
    norms = update_norms(session)
    assert norms[1] == pytest.approx(0.05 * np.sqrt(12), rel=1e-3)


def test_hyperparameter_after_optimizer_change_applies():
    session = linear_session()
    session.step()
    session.set_optimizer("main", "Adam")

    session.set_hyperparameter("main", "beta_1", 0.5)
    session.step()

    assert session.project.tape("main").optimizer.hyperparameters["beta_1"] == 0.5
    assert "beta_1=0.5" in session.history.events()[0].text


def test_hyperparameter_of_old_optimizer_rejected_after_change():
    session = linear_session()
    session.set_optimizer("main", "Adam")

    with pytest.raises(KeyError, match="momentum"):
        session.set_hyperparameter("main", "momentum", 0.5)


def test_unknown_optimizer_rejected():
    session = linear_session()

    with pytest.raises(ValueError, match="Nope"):
        session.set_optimizer("main", "Nope")
    assert session.project.tape("main").optimizer.name == "SGD"


def test_out_of_range_optimizer_value_rejected():
    session = linear_session()

    with pytest.raises(ValueError, match="beta_1"):
        session.set_optimizer("main", "Adam", {"beta_1": 1.5})


def test_penalty_weight_change_recorded_as_event():
    tapes = [
        TapeSpec("main", ["dense/kernel"], OptimizerSpec()),
        TapeSpec("inner", ["dense/bias"], OptimizerSpec(), parent="main"),
    ]
    session = linear_session(tapes)
    session.step()

    session.set_penalty_weight("inner", 0.25)
    session.step()

    assert session.history.events() == [HistoryEvent(2, "inner: penalty_weight 0 -> 0.25")]
    assert session.project.tape("inner").penalty_weight == 0.25


@pytest.mark.parametrize("weight", [-0.1, float("inf"), float("nan")])
def test_bad_penalty_weight_rejected(weight):
    session = linear_session()

    with pytest.raises(ValueError, match="penalty weight"):
        session.set_penalty_weight("main", weight)


def test_penalty_weight_text_rejected():
    with pytest.raises(TypeError, match="number"):
        linear_session().set_penalty_weight("main", "high")


def test_persistent_change_applies_at_next_step():
    session = linear_session()
    session.step()

    session.set_persistent("main", True)
    session.step()

    step = session.latest_tapes()["main"]
    step.tape.gradient(step.target, step.sources)
    assert session.history.events() == [HistoryEvent(2, "main: persistent False -> True")]


def test_unknown_tape_rejected():
    with pytest.raises(KeyError, match="nothing"):
        linear_session().set_penalty_weight("nothing", 1.0)


def test_reset_drops_pending_changes():
    session = linear_session()
    session.step()
    session.set_hyperparameter("main", "learning_rate", 0.3)

    session.reset()
    session.step()
    session.step()

    assert session.history.events() == []


def test_penalty_weight_round_trips(tmp_path):
    tapes = [
        TapeSpec("main", ["dense/kernel"], OptimizerSpec()),
        TapeSpec("inner", ["dense/bias"], OptimizerSpec(), persistent=True, parent="main", penalty_weight=0.5),
    ]
    project = linear_session(tapes).project

    loaded = load_project(save_project(project, tmp_path / "nested.json"))

    assert loaded.tapes == project.tapes


def version_one_dict() -> dict:
    data = project_to_dict(linear_session().project)
    data["version"] = 1
    for tape in data["tapes"]:
        del tape["penalty_weight"]
    return data


def test_version_one_file_reads_zero_weight():
    project = project_from_dict(version_one_dict())

    assert project.tapes[0].penalty_weight == 0.0


def test_negative_penalty_weight_in_file_rejected():
    data = project_to_dict(linear_session().project)
    data["tapes"][0]["penalty_weight"] = -1.0

    with pytest.raises(ProjectError) as raised:
        project_from_dict(data)
    assert raised.value.field == "tapes[0].penalty_weight"


@pytest.mark.parametrize("name", ["", " main", "a/b"])
def test_bad_tape_name_in_file_rejected(name):
    data = project_to_dict(linear_session().project)
    data["tapes"][0]["name"] = name

    with pytest.raises(ProjectError) as raised:
        project_from_dict(data)
    assert raised.value.field == "tapes[0].name"
