"""Check that an entry point's object is an op or optimizer that this TapeStudio can use."""

from __future__ import annotations

from .. import optimizers
from .api import API_VERSION, MIN_API_VERSION, is_supported_api_version
from .ops import PluginOp
from .optimizer import Optimizer as PluginOptimizer
from .status import Status

__all__ = ["check_op_object", "check_optimizer_class"]

Rejection = tuple[Status, str]

# Names an optimizer's hyperparameter cannot take, because instances already use them.
_RESERVED = {"name", "iterations"}


def check_op_object(entry_name: str, obj: object) -> Rejection | None:
    """Return why ``obj``, published as op ``entry_name``, cannot be used, or None."""
    if not isinstance(obj, PluginOp):
        return Status.INVALID, (
            f"the entry point names {_describe(obj)}, not an op made with "
            "tapestudio.plugins.api.define_op or composite_op"
        )
    version_problem = _api_version_problem(obj.api_version)
    if version_problem is not None:
        return version_problem
    if obj.name != entry_name:
        return Status.INVALID, (
            f"the entry point is named {entry_name!r} but the op is named {obj.name!r}; give both the same name"
        )
    return None


def check_optimizer_class(entry_name: str, obj: object, builtin: bool) -> Rejection | None:
    """Return why ``obj``, published as optimizer ``entry_name``, cannot be used, or None.

    Plugin optimizers must subclass ``tapestudio.plugins.api.Optimizer``; TapeStudio's own
    (``builtin``) subclass ``tapestudio.optimizers.Optimizer``.
    """
    if not isinstance(obj, type) or not issubclass(obj, optimizers.Optimizer):
        return Status.INVALID, (
            f"the entry point names {_describe(obj)}, not a subclass of tapestudio.plugins.api.Optimizer"
        )
    version_problem = _api_version_problem(_declared_api_version(obj))
    if version_problem is not None:
        return version_problem
    if not builtin and not issubclass(obj, PluginOptimizer):
        return Status.INVALID, (
            f"{obj.__name__} subclasses tapestudio.optimizers.Optimizer; subclass "
            "tapestudio.plugins.api.Optimizer instead, so that its failures name the plugin"
        )
    if obj.__name__ != entry_name:
        return Status.INVALID, (
            f"the entry point is named {entry_name!r} but the class is named {obj.__name__!r}; give both the same name"
        )
    if obj.update_step is optimizers.Optimizer.update_step:
        return Status.INVALID, f"{obj.__name__} does not implement update_step"
    description = obj.description
    if not isinstance(description, str) or not description.strip() or "\n" in description:
        return Status.INVALID, f"{obj.__name__}.description must be one non-empty line, got {description!r}"
    problem = _hyperparameters_problem(obj)
    if problem is not None:
        return Status.INVALID, problem
    return None


def _hyperparameters_problem(cls: type) -> str | None:
    declared = cls.hyperparameters
    if not isinstance(declared, dict):
        return f"{cls.__name__}.hyperparameters must be a dict of Hyperparameter, got {declared!r}"
    if "learning_rate" not in declared:
        return f"{cls.__name__}.hyperparameters has no 'learning_rate'; the app sets it for every optimizer"

    for key, declaration in declared.items():
        if not _usable_hyperparameter_name(key):
            return (
                f"{cls.__name__} has a hyperparameter named {key!r}; choose an identifier that the "
                "Optimizer class does not use"
            )
        if not isinstance(declaration, optimizers.Hyperparameter):
            return f"{cls.__name__}.hyperparameters[{key!r}] is {declaration!r}, not a Hyperparameter"
        try:
            declaration.check_declaration(key)
        except (TypeError, ValueError) as error:
            return f"{cls.__name__}: {error}"
    return None


def _usable_hyperparameter_name(key: object) -> bool:
    if not isinstance(key, str) or not key.isidentifier():
        return False
    return key not in _RESERVED and not hasattr(optimizers.Optimizer, key)


def _declared_api_version(cls: type) -> object:
    """Return the ``api_version`` that ``cls`` or a class between it and the bases declares."""
    bases = {optimizers.Optimizer, PluginOptimizer, object}
    for klass in cls.__mro__:
        if klass not in bases and "api_version" in vars(klass):
            return vars(klass)["api_version"]
    return None


def _api_version_problem(declared: object) -> Rejection | None:
    if declared is None:
        return Status.INVALID, (
            "it declares no api_version; set it to the plugin API version it was written for, such as 1"
        )
    if isinstance(declared, bool) or not isinstance(declared, int):
        return Status.INVALID, f"it declares api_version {declared!r}; the API version is an int, such as 1"
    if is_supported_api_version(declared):
        return None

    supported = f"{MIN_API_VERSION}" if MIN_API_VERSION == API_VERSION else f"{MIN_API_VERSION} to {API_VERSION}"
    advice = "upgrade TapeStudio" if declared > API_VERSION else "install a version of the plugin written for it"
    return Status.INCOMPATIBLE, (
        f"it was written for plugin API {declared}, but this TapeStudio supports API {supported}; {advice}"
    )


def _describe(obj: object) -> str:
    name = getattr(obj, "__qualname__", None)
    if name is None:
        return f"a {type(obj).__name__} object"
    return f"{type(obj).__name__} {name!r}"
