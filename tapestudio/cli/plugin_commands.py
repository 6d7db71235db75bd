"""The ``tapestudio plugins`` commands: list, install and check plugins.

    tapestudio plugins list [--all] [--json]
    tapestudio plugins install PATH_OR_REQUIREMENT [-- PIP_OPTION ...]
    tapestudio plugins check NAME [--order N]

Exit status: 0 on success; 1 when a gradient check fails or a newly installed plugin does not
load; pip's own exit status when pip fails; 2 for invalid arguments and unknown op names (with
a one-line message on stderr); 130 when Ctrl-C stopped pip.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shlex
import subprocess
import sys
import tempfile

from tapestudio.cli import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK, UsageError, _Parser

# Statuses after which an install did not give a working op or optimizer. A duplicate name is
# not among them: pip did its job, and the listed error says which entry point is used.
_BROKEN = ("failed to import", "invalid", "incompatible API version")

_COLUMNS = ("name", "kind", "distribution", "version", "status", "error")

_CLOSE_NAMES = 5


def plugins_parser() -> argparse.ArgumentParser:
    """Return the parser of ``tapestudio plugins`` with its three subcommands."""
    parser = _Parser(
        prog="tapestudio plugins",
        description="List, install and check the plugins that add ops and optimizers.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)

    list_parser = commands.add_parser(
        "list", prog="tapestudio plugins list", help="list the installed plugins and their statuses",
        description=(
            "List every plugin op and optimizer with its distribution, version and status: loaded, "
            "failed to import, invalid, incompatible API version or duplicate name, with the error."
        ),
    )
    list_parser.add_argument("--all", action="store_true", help="list TapeStudio's built-ins too")
    list_parser.add_argument("--json", action="store_true", help="print a JSON list, with tracebacks")
    list_parser.set_defaults(handler=_list, prog="tapestudio plugins list")

    install_parser = commands.add_parser(
        "install", prog="tapestudio plugins install", help="install a plugin with pip",
        usage="%(prog)s [-h] PATH_OR_REQUIREMENT [-- PIP_OPTION ...]",
        description=(
            "Install a plugin distribution with pip in this interpreter, with TapeStudio pinned to its "
            "installed version so that the plugin can neither upgrade nor remove it, then list the "
            "statuses of the new entry points."
        ),
        epilog="Example: tapestudio plugins install ./my-plugin -- --no-deps",
    )
    install_parser.add_argument(
        "target", metavar="PATH_OR_REQUIREMENT",
        help="a plugin folder, a wheel or source archive, or a requirement such as tapestudio-activations",
    )
    install_parser.add_argument(
        "pip_options", nargs="*", default=[], metavar="PIP_OPTION",
        help="options after '--' go to pip unchanged, such as --no-deps or --index-url URL",
    )
    install_parser.set_defaults(handler=_install, prog="tapestudio plugins install")

    check_parser = commands.add_parser(
        "check", prog="tapestudio plugins check", help="check an op's gradients",
        description=(
            "Check an op's VJPs against finite differences (and through nested tapes for higher "
            "orders), its NumPy VJPs against its engine VJPs, and its float32 output."
        ),
    )
    check_parser.add_argument("name", metavar="NAME", help="the op's name, such as gelu")
    check_parser.add_argument(
        "--order", type=_order, default=2, metavar="N", help="highest derivative order to check (1 to 3, default 2)"
    )
    check_parser.set_defaults(handler=_check, prog="tapestudio plugins check")
    return parser


def _order(text: str) -> int:
    try:
        order = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid order {text!r}: give 1, 2 or 3") from None
    if not 1 <= order <= 3:
        raise argparse.ArgumentTypeError(f"invalid order {order}: give 1, 2 or 3")
    return order


# -- list ----------------------------------------------------------------------------------


def _list(args: argparse.Namespace) -> int:
    from tapestudio import plugins
    from tapestudio.plugins.installing import status_record

    statuses = [status for status in plugins.statuses() if args.all or not status.builtin]

    if args.json:
        print(json.dumps([status_record(status) for status in statuses], indent=2))
    elif statuses:
        _print_table(statuses)
    else:
        print(
            "No plugins are installed. Install one with 'tapestudio plugins install PATH_OR_REQUIREMENT'; "
            "'tapestudio plugins list --all' lists the built-ins too."
        )
    return EXIT_OK


def _print_table(statuses) -> None:
    rows = [
        [status.name, status.kind, status.distribution, status.version, status.status.value,
         " ".join(status.error.split())]
        for status in statuses
    ]
    header = [column.upper() for column in _COLUMNS]
    widths = [max(len(row[index]) for row in [header, *rows]) for index in range(len(_COLUMNS) - 1)]

    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths)]
        print("  ".join([*cells, row[-1]]).rstrip())


# -- install -------------------------------------------------------------------------------


def _install(args: argparse.Namespace) -> int:
    from tapestudio.plugins import installing

    try:
        target = installing.resolve_target(args.target)
    except ValueError as error:
        raise UsageError(str(error)) from None

    before = installing.installed_entry_keys()
    try:
        with tempfile.TemporaryDirectory(prefix="tapestudio-install-") as folder:
            constraints = installing.write_constraints(folder)
            status = _run_pip(installing.install_command(target, constraints, args.pip_options))
    except (RuntimeError, OSError) as error:
        print(f"{args.prog}: error: {error}", file=sys.stderr)
        return EXIT_FAILURE

    if status == EXIT_INTERRUPTED:
        print(f"{args.prog}: interrupted; pip may have installed part of the plugin", file=sys.stderr)
        return status
    if status != 0:
        print(f"{args.prog}: error: pip failed with exit status {status}; its output is above", file=sys.stderr)
        return status

    added = installing.statuses_added_since(before)
    return _report_added(args.prog, added)


def _run_pip(command: list[str]) -> int:
    """Run pip with its output going straight to this terminal; return its exit status."""
    print(f"Running {shlex.join(command)}", flush=True)
    try:
        return subprocess.run(command, stdin=subprocess.DEVNULL, check=False).returncode
    except KeyboardInterrupt:
        # pip got the same Ctrl-C, being in the terminal's foreground process group.
        return EXIT_INTERRUPTED


def _report_added(prog: str, added: list) -> int:
    if not added:
        print(
            "pip finished, but no new ops or optimizers were found: the distribution declares no "
            "'tapestudio.ops' or 'tapestudio.optimizers' entry points, or it was installed where "
            "this interpreter does not look."
        )
        return EXIT_OK

    print()
    print("New plugin entry points:")
    _print_table(added)

    broken = [status for status in added if status.status.value in _BROKEN]
    if broken:
        names = ", ".join(f"{status.kind} {status.name!r}" for status in broken)
        print(f"{prog}: error: installed, but {names} did not load; see the error column", file=sys.stderr)
        return EXIT_FAILURE
    return EXIT_OK


# -- check ---------------------------------------------------------------------------------


def _check(args: argparse.Namespace) -> int:
    from tapestudio import plugins

    try:
        op = plugins.op(args.name)
    except ValueError:
        raise UsageError(_unknown_op(args.name)) from None

    status = plugins.status_of("op", args.name)
    source = f"{status.distribution} {status.version}".rstrip() if status is not None else "an unknown distribution"
    print(f"Checking op {op.name!r} from {source}: {op.description}", flush=True)

    try:
        passed = plugins.check_op(op, order=args.order)
    except (AssertionError, ArithmeticError, RuntimeError, TypeError, ValueError) as error:
        # GradientCheckError is an AssertionError, PluginError a RuntimeError.
        print(f"failed: {error}")
        print(f"{args.prog}: error: op {op.name!r} failed its check: {type(error).__name__}", file=sys.stderr)
        return EXIT_FAILURE

    for line in passed:
        print(f"passed: {line}")
    return EXIT_OK


def _unknown_op(name: str) -> str:
    """Return a one-line message for an op name that is not loaded, with close names."""
    from tapestudio import plugins

    registry = plugins.current_registry()
    reason = registry.explain_missing("op", name)
    if reason:
        return " ".join(f"op {name!r} is not loaded. {reason} Run 'tapestudio plugins list' for the details.".split())

    if name.lower() in {optimizer.lower() for optimizer in registry.optimizer_names()}:
        return f"{name!r} is an optimizer; 'tapestudio plugins check' checks ops only"

    close = difflib.get_close_matches(name, registry.op_names(), n=_CLOSE_NAMES, cutoff=0.6)
    hint = f"close names: {', '.join(close)}" if close else "no op has a similar name"
    return f"no op named {name!r}; {hint}; 'tapestudio plugins list --all' lists every op"
