"""Layer edits: tapes keep watching the same layers after layers are added, removed or moved."""

import pytest

from tapestudio.studio import (
    DataSpec,
    LayerSpec,
    ModelSpec,
    OptimizerSpec,
    Project,
    Session,
    TapeSpec,
)
from tapestudio.studio.model_edits import add_layer, edit_layer, move_layer, remove_layer


def three_layer_project():
    """Three layers of widths 4, 5, 6; tape 'a' on layer 0, 'b' on layer 1, 'c' on layer 2."""
    sgd = OptimizerSpec("SGD", {"learning_rate": 0.01})
    return Project(
        name="layers",
        model=ModelSpec(3, [LayerSpec(4, "relu"), LayerSpec(5, "tanh"), LayerSpec(6)]),
        data=DataSpec("normal", samples=2),
        objective="sum",
        seed=0,
        tapes=[
            TapeSpec("a", ["dense/kernel", "dense/bias"], sgd),
            TapeSpec("b", ["dense_1/kernel"], sgd),
            TapeSpec("c", ["dense_2/bias", "dense_2/kernel"], sgd),
        ],
    )


def watched(project):
    return {tape.name: tape.variables for tape in project.tapes}


def test_add_layer_appends_copy_of_width():
    project = add_layer(three_layer_project())

    assert [layer.units for layer in project.model.layers] == [4, 5, 6, 6]
    assert project.model.layers[-1].activation == "linear"


def test_add_layer_in_middle_renames_later_layers():
    project = add_layer(three_layer_project(), index=1, layer=LayerSpec(9))

    assert [layer.units for layer in project.model.layers] == [4, 9, 5, 6]
    assert watched(project) == {
        "a": ["dense/kernel", "dense/bias"],
        "b": ["dense_2/kernel"],
        "c": ["dense_3/bias", "dense_3/kernel"],
    }


def test_remove_first_layer_renames_the_rest():
    project = remove_layer(three_layer_project(), 0)

    assert [layer.units for layer in project.model.layers] == [5, 6]
    assert watched(project) == {
        "a": [],
        "b": ["dense/kernel"],
        "c": ["dense_1/bias", "dense_1/kernel"],
    }


def test_remove_last_layer_drops_its_variables():
    project = remove_layer(three_layer_project(), 2)

    assert watched(project)["c"] == []


def test_remove_only_layer_rejected():
    project = three_layer_project()
    project.model.layers = project.model.layers[:1]

    with pytest.raises(ValueError, match="at least one layer"):
        remove_layer(project, 0)


def test_move_layer_down_tapes_follow():
    project = move_layer(three_layer_project(), 0, 2)

    assert [layer.units for layer in project.model.layers] == [5, 6, 4]
    assert watched(project) == {
        "a": ["dense_2/kernel", "dense_2/bias"],
        "b": ["dense/kernel"],
        "c": ["dense_1/bias", "dense_1/kernel"],
    }


def test_move_layer_up_tapes_follow():
    project = move_layer(three_layer_project(), 2, 1)

    assert [layer.units for layer in project.model.layers] == [4, 6, 5]
    assert watched(project)["b"] == ["dense_2/kernel"]
    assert watched(project)["c"] == ["dense_1/bias", "dense_1/kernel"]


def test_move_to_same_place_changes_nothing():
    original = three_layer_project()

    assert move_layer(original, 1, 1) == original


def test_move_out_of_range_rejected():
    with pytest.raises(IndexError, match="out of range"):
        move_layer(three_layer_project(), 0, 3)


def test_bias_off_drops_bias_from_tapes():
    project = edit_layer(three_layer_project(), 0, use_bias=False)

    assert watched(project)["a"] == ["dense/kernel"]


def test_edit_unknown_field_rejected():
    with pytest.raises(TypeError, match="no field 'width'"):
        edit_layer(three_layer_project(), 0, width=3)


def test_edits_leave_original_unchanged():
    original = three_layer_project()

    move_layer(original, 0, 2)
    remove_layer(original, 1)
    add_layer(original, 0)

    assert original == three_layer_project()


def test_moved_project_builds_session():
    session = Session(move_layer(three_layer_project(), 0, 2))

    assert session.weights()["dense/kernel"].shape == (3, 5)
    assert session.weights()["dense_2/kernel"].shape == (6, 4)


def test_initializers_reach_weights():
    project = edit_layer(
        three_layer_project(), 0, kernel_initializer="ones", bias_initializer="ones"
    )

    weights = Session(project).weights()

    assert (weights["dense/kernel"] == 1).all()
    assert (weights["dense/bias"] == 1).all()
