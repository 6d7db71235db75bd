"""The ``tapestudio`` command: the desktop app, headless runs and the list of examples.

    tapestudio [PROJECT]                                   open the app
    tapestudio run NAME_OR_PATH --steps N --out DIR [--seed S] [--quiet]
    tapestudio examples
    tapestudio plugins {list,install,check} ...           see tapestudio/cli/plugin_commands.py

Exit status: 0 on success, 1 when a run or the app fails, 2 for invalid arguments (with a
one-line message on stderr), 130 when Ctrl-C stopped a run (whose results are still written).
A project that names an op or optimizer that is not installed is an invalid argument for
``run``; the app opens it with stand-ins and says so.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import TextIO

from tapestudio.studio.project import MAX_SEED as _MAX_SEED

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130



class UsageError(Exception):
    """An invalid argument found after parsing: a project that does not load, a bad --out."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: what is wrong and where to read more."""

    def error(self, message: str) -> None:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}; see '{self.prog} --help'\n")


def main(argv: list[str] | None = None) -> int:
    """Run the ``tapestudio`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status. Invalid arguments exit with status 2 through argparse or return 2.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    # Discovery logs a warning per broken plugin on every command. 'tapestudio plugins list'
    # shows the same errors, and a project that needs a broken plugin names it in its error.
    logging.getLogger("tapestudio.plugins").setLevel(logging.ERROR)

    commands = _command_parsers()
    if argv and argv[0] in commands:
        args = commands[argv[0]].parse_args(argv[1:])
    else:
        args = _app_parser().parse_args(argv)

    try:
        return args.handler(args)
    except UsageError as error:
        print(f"{args.prog}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        # Ctrl-C before a run's first step, while the project loads.
        print(f"{args.prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


# -- parsers ------------------------------------------------------------------------------


def _app_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="tapestudio",
        usage="%(prog)s [-h] [--version] [PROJECT]\n       %(prog)s {run,examples,plugins} ...",
        description="A workbench for exploring gradient tapes. Without a command, opens the app.",
        epilog=(
            "commands:\n"
            "  run        train a project without the app and write its metrics as CSV\n"
            "  examples   list the bundled example projects\n"
            "  plugins    list, install and check plugins (ops and optimizers)\n"
            "Run 'tapestudio COMMAND --help' for a command's options."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "project",
        nargs="?",
        metavar="PROJECT",
        help="bundled example name or path of a .json project file (default: weighted-gradients)",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    parser.set_defaults(handler=_open_app, prog="tapestudio")
    return parser


def _command_parsers() -> dict[str, argparse.ArgumentParser]:
    run_parser = _Parser(
        prog="tapestudio run",
        description=(
            "Train a project without the app, then write metrics_long.csv, metrics_wide.csv "
            "and run.json into the output folder. Ctrl-C stops the run early, and the steps "
            "done so far are still written."
        ),
    )
    run_parser.add_argument(
        "project", metavar="NAME_OR_PATH", help="bundled example name or .json project file"
    )
    run_parser.add_argument(
        "--steps", type=_step_count, required=True, metavar="N", help="training steps (at least 1)"
    )
    run_parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder for the files (created if missing)",
    )
    run_parser.add_argument(
        "--seed",
        type=_seed,
        metavar="S",
        help=f"random seed in place of the project's (0 to {_MAX_SEED})",
    )
    run_parser.add_argument("--quiet", action="store_true", help="show no progress bar")
    run_parser.set_defaults(handler=_run, prog="tapestudio run")

    examples_parser = _Parser(
        prog="tapestudio examples",
        description="List the bundled example projects with a one-line description each.",
    )
    examples_parser.set_defaults(handler=_list_examples, prog="tapestudio examples")

    from tapestudio.cli.plugin_commands import plugins_parser

    return {"run": run_parser, "examples": examples_parser, "plugins": plugins_parser()}


def _step_count(text: str) -> int:
    try:
        steps = int(text)
    except ValueError:
        problem = f"invalid step count {text!r}: give a whole number of at least 1"
        raise argparse.ArgumentTypeError(problem) from None
    if steps < 1:
        raise argparse.ArgumentTypeError(f"invalid step count {steps}: give at least 1")
    return steps


def _seed(text: str) -> int:
    try:
        seed = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid seed {text!r}: give a whole number") from None
    if not 0 <= seed <= _MAX_SEED:
        problem = f"invalid seed {seed}: give a number from 0 to {_MAX_SEED}"
        raise argparse.ArgumentTypeError(problem)
    return seed


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("tapestudio")
    except metadata.PackageNotFoundError:
        return "(not installed)"


# -- commands ------------------------------------------------------------------------------


def _open_app(args: argparse.Namespace) -> int:
    if args.project is not None:
        # Check the project here, so that a typo ends with a one-line message, not a dialog.
        # Missing plugins are no error here: the app opens the project and names them.
        _load_project(args.project, allow_missing_plugins=True)

    if _missing_display():
        print(
            "tapestudio: error: no display found (DISPLAY and WAYLAND_DISPLAY are unset); "
            "run the app in a desktop session, or use 'tapestudio run' without the app",
            file=sys.stderr,
        )
        return EXIT_FAILURE

    try:
        from tapestudio import gui
    except ImportError as error:
        print(
            f"tapestudio: error: the app cannot start ({error}); install PySide6-Essentials "
            "and pyqtgraph, or use 'tapestudio run' without the app",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    return int(gui.run_app(args.project))


def _missing_display() -> bool:
    """Return True on Linux when Qt would find no display and abort the process."""
    if not sys.platform.startswith("linux"):
        return False
    names = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    return not any(os.environ.get(name) for name in names)


def _list_examples(args: argparse.Namespace) -> int:
    from tapestudio.studio import example_descriptions

    descriptions = example_descriptions()
    width = max(len(name) for name in descriptions)
    for name, description in descriptions.items():
        print(f"{name:<{width}}  {description}")
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from tapestudio.studio import ProjectError, Session, write_csv

    project = _load_project(args.project)
    if args.seed is not None:
        project.seed = args.seed
    try:
        session = Session(project)
    except ProjectError as error:
        raise UsageError(str(error)) from None
    out_dir = _prepare_out_dir(args.out)

    show_progress = not args.quiet and sys.stderr.isatty()
    status, failure, elapsed = _train(session, args.steps, show_progress)

    try:
        paths = write_csv(session, session.project, out_dir)
    except OSError as error:
        print(
            f"tapestudio run: error: cannot write the results to {out_dir}: {error}",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    _print_summary(session, elapsed)
    print(f"wrote {', '.join(str(path) for path in paths)}")

    if status == EXIT_INTERRUPTED:
        message = f"interrupted after {session.step_count} of {args.steps} steps"
        print(f"tapestudio run: {message}", file=sys.stderr)
    elif failure is not None:
        message = f"{failure}; the {session.step_count} steps before it were written"
        print(f"tapestudio run: error: {message}", file=sys.stderr)
    return status


def _train(session, steps: int, show_progress: bool):
    """Run the steps; return (exit status, the RunError or None, elapsed seconds)."""
    from tapestudio.studio import RunError, run

    progress = _ProgressBar(steps, sys.stderr) if show_progress else None
    status, failure, started = EXIT_OK, None, time.perf_counter()

    try:
        for record in run(session, steps):
            if progress is not None:
                progress.update(record.step, record.objective)
    except KeyboardInterrupt:
        status = EXIT_INTERRUPTED
    except RunError as error:
        status, failure = EXIT_FAILURE, error

    if progress is not None:
        progress.close()
    return status, failure, time.perf_counter() - started


def _load_project(name_or_path: str, allow_missing_plugins: bool = False):
    """Load a project; raise UsageError when it is invalid or, unless allowed, names an op or
    optimizer that is not installed (the message says how to install it)."""
    from tapestudio.studio import ProjectError
    from tapestudio.studio.requirements import MissingPluginsError, load_with_stand_ins

    try:
        project, missing = load_with_stand_ins(name_or_path)
    except ProjectError as error:
        raise UsageError(str(error)) from None

    if missing and not allow_missing_plugins:
        raise UsageError(str(MissingPluginsError(project.describe_source(), missing)))
    return project


def _prepare_out_dir(out_dir: Path) -> Path:
    out_dir = out_dir.expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        problem = f"--out {str(out_dir)!r} is a file; give a folder (it is created when missing)"
        raise UsageError(problem)

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = f"--out {str(out_dir)!r}: cannot create the folder: {error.strerror}"
        raise UsageError(problem) from None

    # Finding out now that the folder is not writable saves a user a whole run.
    try:
        with tempfile.TemporaryFile(dir=out_dir):
            pass
    except OSError as error:
        problem = f"--out {str(out_dir)!r}: cannot write files there: {error.strerror}"
        raise UsageError(problem) from None
    return out_dir


def _print_summary(session, elapsed: float) -> None:
    history = session.history
    steps = len(history)
    rate = steps / elapsed if elapsed > 0 else 0.0
    line = f"{session.project.name}: {steps} steps in {elapsed:.1f} s ({rate:.0f} steps/s)"

    if steps:
        objective = history.objective()
        line += f", objective {objective[0]:.6g} -> {objective[-1]:.6g}"
    print(line)


class _ProgressBar:
    """A one-line progress bar redrawn in place on a terminal, at most 10 times a second."""

    _WIDTH = 24
    _INTERVAL = 0.1

    def __init__(self, total: int, stream: TextIO) -> None:
        self._total = total
        self._stream = stream
        self._started = time.perf_counter()
        self._drawn_at = 0.0
        self._drawn_length = 0

    def update(self, step: int, objective: float) -> None:
        now = time.perf_counter()
        if now - self._drawn_at < self._INTERVAL and step != self._total:
            return
        self._drawn_at = now

        filled = self._WIDTH * step // self._total
        bar = "#" * filled + "-" * (self._WIDTH - filled)
        rate = step / (now - self._started) if now > self._started else 0.0
        line = f"step {step}/{self._total} [{bar}] {rate:.1f} steps/s  objective {objective:.6g}"

        # Pad with spaces to cover a longer line drawn before.
        self._stream.write("\r" + line.ljust(self._drawn_length))
        self._stream.flush()
        self._drawn_length = len(line)

    def close(self) -> None:
        if self._drawn_length:
            self._stream.write("\n")
            self._stream.flush()
