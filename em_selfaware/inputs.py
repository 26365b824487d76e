"""Checks of what a user passes in: task parameters (``-T``), command-line options, folders.

Every check names the parameter, the value it got and what is valid, and returns the value in
its checked form. Inspect reads ``-T name=value`` as YAML, so a value arrives typed:
``samples=abc`` and ``samples=1e9`` are text (PyYAML reads ``1e9`` as a string), ``samples=true``
/ ``yes`` / ``on`` a boolean, ``per_category=2.5`` a decimal number, ``formats=a,b`` a list and
``samples=`` (nothing) None. The checks accept only the intended type (a boolean is not a
number, ``2.5`` is not a count) and never guess.

Errors derive from `InputError`, a `ValueError`. In a process that has loaded Inspect before
this module (``inspect eval``, a task file, the runner) it is also Inspect's
`PrerequisiteError`, which Inspect's command line shows without a traceback. Elsewhere (the
``em-selfaware report`` and ``diff`` commands, which never need Inspect) it is not, so that
an error class does not cost them Inspect's import (about 1 s); our own command line prints
every `ValueError` without a traceback anyway.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Mapping
from numbers import Integral
from pathlib import Path
from typing import Any

from rich.markup import escape

MAX_SAMPLES = 1000
"""Upper bound of every answers-per-item count (`samples`, `choices`, per-format counts).

V26 asks 10 (harmfulness, intentions) to 50 (numerical self-assessment) answers per item, EM
100: a count above 1000 per item is a typo (``1e9``) or a bill nobody meant to run. Larger
studies run several evaluations."""


def _shown_plainly_base() -> type[Exception]:
    """Inspect's `PrerequisiteError` when Inspect is loaded already, else `Exception`."""
    if "inspect_ai" not in sys.modules:
        return Exception
    from inspect_ai._util.error import PrerequisiteError  # not exported; its handler is the point

    return PrerequisiteError


class ShownWithoutTraceback(_shown_plainly_base()):  # type: ignore[misc]
    """An error whose message says everything: `inspect eval` prints it without a traceback."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.message = escape(message)  # Inspect prints it with rich markup


class InputError(ShownWithoutTraceback, ValueError):
    """A parameter, option or input file is not usable; the message says which and why."""


class ParameterError(InputError):
    """A task parameter or command-line option has an invalid value; `name` says which."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name


def _fail(name: str, text: str) -> ParameterError:
    """Return the error "<name> <text>" (just the text when the name is blank: argparse's)."""
    return ParameterError(name, f"{name} {text}".strip())


def describe(value: Any) -> str:
    """Return `value` as a user wrote it, with its type where the type is the problem."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"{str(value).lower()} (read as a yes/no value)"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, float):
        return f"{value!r} (a decimal number)"
    if isinstance(value, str):
        return f"{value!r} (text)"
    if isinstance(value, list | tuple):
        return f"{list(value)!r} (a list)"
    if isinstance(value, Mapping):
        return f"{dict(value)!r} (a mapping)"
    return f"{value!r} (a {type(value).__name__})"


def whole_number(
    name: str,
    value: Any,
    minimum: int = 1,
    maximum: int | None = None,
    why_maximum: str = "",
) -> int:
    """Return `value` if it is a whole number in [minimum, maximum], else raise ParameterError.

    `why_maximum` explains the upper bound when a value exceeds it.
    """
    valid = (
        f"a whole number from {minimum} to {maximum}"
        if maximum is not None
        else f"a whole number of at least {minimum}"
    )
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise _fail(name, f"must be {valid}, got {describe(value)}")
    number = int(value)
    if number < minimum:
        raise _fail(name, f"must be {valid}, got {number}")
    if maximum is not None and number > maximum:
        raise _fail(name, f"must be {valid}{why_maximum}, got {number}")
    return number


def optional_whole_number(
    name: str, value: Any, minimum: int = 1, maximum: int | None = None
) -> int | None:
    """Return None (the parameter is not set) or the checked whole number."""
    return None if value is None else whole_number(name, value, minimum, maximum)


def sample_count(name: str, value: Any) -> int:
    """Return an answers-per-item count: a whole number from 1 to `MAX_SAMPLES`."""
    why = " (answers per item: V26 asks 10-50, EM 100; run a larger study as several evals)"
    return whole_number(name, value, 1, MAX_SAMPLES, why)


def optional_choice_count(name: str, value: Any) -> int | None:
    """Return None (one answer per request) or an answers-per-request count (1-`MAX_SAMPLES`)."""
    if value is None:
        return None
    return whole_number(name, value, 1, MAX_SAMPLES, " (answers per request, num_choices)")


def sample_counts(name: str, value: Any, defaults: Mapping[str, int]) -> int | dict[str, int]:
    """Return one count for every format, or a per-format mapping completed from `defaults`.

    None gives `defaults`; a mapping may name some formats (the others keep their default).
    """
    if value is None:
        return dict(defaults)
    if not isinstance(value, Mapping):
        return sample_count(name, value)
    unknown = [key for key in value if key not in defaults]
    if unknown:
        raise _fail(name, f"names unknown formats {unknown}; valid: {', '.join(defaults)}")
    counts = dict(defaults)
    for key, count in value.items():
        counts[key] = sample_count(f"{name}.{key}", count)
    return counts


def one_of(name: str, value: Any, valid: Iterable[str]) -> str:
    """Return `value` if it is one of the `valid` names, else raise ParameterError listing them."""
    options = list(valid)
    if not isinstance(value, str):
        raise _fail(name, f"must be one of {', '.join(options)}, got {describe(value)}")
    if value not in options:
        raise ParameterError(name, f"unknown {name} {value!r}; valid: {', '.join(options)}")
    return value


def parse_selection(value: Any, valid: Iterable[str], what: str) -> list[str]:
    """Return the chosen names of a selection like ``"a,b"`` or ``["a", "b"]``, de-duplicated.

    None, ``""`` and ``"all"`` select every valid name. Entries are stripped; empty entries (a
    trailing comma) are dropped; a repeated entry counts once (Inspect would refuse the
    duplicate sample ids); an unknown one is an error that lists the valid names.
    """
    options = list(valid)
    if value is None or value == "" or value == "all":
        return options
    if isinstance(value, str):
        entries: list[Any] = value.split(",")
    elif isinstance(value, list | tuple):
        entries = list(value)
    else:
        entries = [value]
    if not all(isinstance(entry, str) for entry in entries):
        names = ", ".join(options)
        raise _fail(what, f"must be names from {names} (comma-separated), got {describe(value)}")
    chosen = list(dict.fromkeys(entry.strip() for entry in entries if entry.strip()))
    if not chosen:
        names = ", ".join(options)
        raise _fail(what, f"selects nothing: name at least one of {names} (or leave it out: all)")
    unknown = [entry for entry in chosen if entry not in options]
    if unknown:
        raise ParameterError(what, f"unknown {what} {unknown}; valid: {', '.join(options)}")
    return chosen


def model_name(name: str, value: Any) -> str:
    """Return an Inspect model name (``provider/model``), else raise ParameterError."""
    if not isinstance(value, str) or "/" not in value.strip("/") or value != value.strip():
        example = "openai/gpt-4.1-nano"
        raise _fail(name, f"must be an Inspect model name such as {example}, got {describe(value)}")
    return value


def _path_text(name: str, value: Any, what: str) -> Path:
    if not isinstance(value, str | os.PathLike) or not str(value).strip():
        raise _fail(name, f"must be the path of {what}, got {describe(value)}")
    return Path(value).expanduser()


def input_file(name: str, value: Any, what: str = "a file") -> Path:
    """Return the path of an existing file, else raise ParameterError saying what is there."""
    path = _path_text(name, value, what)
    if path.is_dir():
        raise _fail(name, f"must be {what}, but {path} is a folder")
    if not path.is_file():
        raise _fail(name, f"must be {what}, but there is no file {path}")
    return path


def optional_input_file(name: str, value: Any, what: str = "a file") -> Path | None:
    """Return None (the parameter is not set) or the path of an existing file."""
    return None if value is None else input_file(name, value, what)


def input_folder(name: str, value: Any, what: str = "a folder") -> Path:
    """Return the path of an existing folder, else raise ParameterError saying what is there."""
    path = _path_text(name, value, what)
    if path.is_file():
        raise _fail(name, f"must be {what}, but {path} is a file")
    if not path.is_dir():
        raise _fail(name, f"must be {what}, but there is no folder {path}")
    return path


def output_folder(name: str, value: Any) -> Path:
    """Return a folder path that exists or can be created (no file in the way), else raise."""
    path = _path_text(name, value, "a folder to write into")
    if path.exists() and not path.is_dir():
        raise _fail(name, f"must be a folder to write into, but {path} is a file")
    _check_creatable(name, path)
    return path


def output_file(name: str, value: Any) -> Path:
    """Return a file path that can be written (not a folder; its folder exists or can be made)."""
    path = _path_text(name, value, "a file to write")
    if path.is_dir():
        raise _fail(name, f"must be a file to write, but {path} is a folder")
    _check_creatable(name, path.parent)
    return path


def _check_creatable(name: str, folder: Path) -> None:
    """Raise if a file stands where `folder` or one of its parents should be, or it is read-only."""
    for ancestor in [folder, *folder.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise _fail(name, f"cannot be created at {folder}: {ancestor} is a file")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise _fail(name, f"cannot be written: no permission to write into {ancestor}")
            return


def log_source(name: str, value: Any) -> Path:
    """Return a folder holding Inspect logs (``.eval``/``.json``) or one log file, else raise."""
    from analysis.logs import log_locations  # lists as Inspect does, without importing it

    what = "a folder of Inspect logs or one log file"
    path = _path_text(name, value, what)
    if path.is_file():
        return path
    if not path.is_dir():
        raise _fail(name, f"must be {what}, but there is nothing at {path}")
    if not log_locations(path):
        raise _fail(
            name,
            f"must be {what}, but {path} holds no Inspect logs (.eval or .json, searched "
            "recursively): give the --log-dir of `em-selfaware run` or `inspect eval`",
        )
    return path


def argument_type(check: Callable[[str, Any], Any], **limits: Any) -> Callable[[str], Any]:
    """Return an argparse ``type=`` converter that runs `check` on the option's value.

    argparse names the option in its error; numbers are parsed here so ``--samples abc``
    and ``--samples 0`` get the same message as ``-T samples=...``.
    """

    def convert(text: str) -> Any:
        value: Any = text
        if check in _NUMBER_CHECKS:
            try:
                value = int(text)
            except ValueError:
                pass
        try:
            checked = check("", value, **limits)
        except ParameterError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return text if isinstance(checked, Path) else checked  # paths stay as typed

    convert.__name__ = check.__name__
    return convert


_NUMBER_CHECKS: tuple[Callable[..., Any], ...] = (
    whole_number,
    optional_whole_number,
    sample_count,
)
