"""Checks and check lists: a check is a function of plain data, registered with its points.

A check's parameters are the notebook variables it reads, plus, optionally, ``task``: the
exercise's data for one *variant* (a seed), made by the function registered with
:meth:`CheckList.task_data`. The grader runs a notebook on the learner's variant and on a
hidden one, and gives a check its points only if it passes on both; so expected values are
always computed from ``task``, never written into the check.

In a notebook, a check cell is just ``checks.name()``: the check reads its variables from the
notebook's namespace and the task data of the notebook's variant (``COURSE_UTILS_VARIANT``).

Examples
--------
>>> checks = CheckList("00_example")
>>> @checks.task_data
... def make_task(variant):
...     return {"number": 2 + variant}
>>> @checks.add(points=1)
... def answer_is_number(answer, task):
...     '''The answer is the task's number.'''
...     if answer != task["number"]:
...         raise CheckFailed("`answer` is not the task's number yet: count again.")
>>> checks.answer_is_number(2)
✔ answer_is_number: passed (1/1 point)
>>> checks["answer_is_number"].verify({"answer": 2}, variant=1).passed
False
>>> checks["answer_is_number"].params
('answer',)
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import os
import sys
from typing import Any, Callable, Iterator

__all__ = ["VARIANT_ENV", "Check", "CheckFailed", "CheckList", "CheckResult",
           "current_variant", "variant_from"]

#: The environment variable that chooses the exercise data's variant (an int or a login).
VARIANT_ENV = "COURSE_UTILS_VARIANT"
TASK = "task"          # the parameter through which a check receives the task data
_MISSING = {"__type__": "missing"}


def variant_from(value: str | int | None) -> int:
    """The variant (a seed in ``[0, 2**31)``) for an integer, an integer string or a login.

    Examples
    --------
    >>> variant_from(None), variant_from("7"), variant_from(7)
    (0, 7, 7)
    >>> variant_from("octocat") == variant_from("OctoCat ")
    True
    """
    if value is None:
        return 0
    if isinstance(value, bool):
        raise TypeError("a variant is an int or a string, not a bool")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a variant is a non-negative integer, got {value}")
        return value % 2**31
    if not isinstance(value, str):
        raise TypeError(f"a variant is an int or a string, got {type(value).__name__}")
    text = value.strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text) % 2**31
    digest = hashlib.sha256(text.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") % 2**31


def current_variant() -> int:
    """The variant of this process: ``COURSE_UTILS_VARIANT`` if set, else 0."""
    return variant_from(os.environ.get(VARIANT_ENV))


class CheckFailed(Exception):
    """Raised by a check: the message says what is wrong and hints at a fix, never the answer."""


@dataclasses.dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one answer."""

    name: str
    passed: bool
    points: float
    max_points: float
    message: str = ""

    def line(self) -> str:
        """One line of feedback for a person."""
        if self.passed:
            unit = "point" if self.max_points == 1 else "points"
            return f"✔ {self.name}: passed ({self.points:g}/{self.max_points:g} {unit})"
        return f"✘ {self.name}: {self.message}"


class Check:
    """One graded check: a function of plain data registered in a :class:`CheckList`.

    The function's parameter names are the notebook variables the grader extracts, except
    ``task``, which receives the task data of the variant being graded.
    """

    def __init__(self, func: Callable[..., Any], points: float, checklist: "CheckList"):
        self.func = func
        self.name = func.__name__
        self.points = float(points)
        self.checklist = checklist
        self.exercise = checklist.exercise
        signature = tuple(inspect.signature(func).parameters)
        self.wants_task = TASK in signature
        self.params = tuple(p for p in signature if p != TASK)
        self.description = (inspect.getdoc(func) or "").split("\n", 1)[0]

    def verify(self, answers: dict[str, Any], variant: int = 0) -> CheckResult:
        """Run the check on already-extracted plain data for ``variant`` (what the grader does)."""
        kwargs = {name: answers.get(name, _MISSING) for name in self.params}
        try:
            if self.wants_task:
                kwargs[TASK] = self.checklist.task(variant)
            self.func(**kwargs)
        except CheckFailed as failure:
            return CheckResult(self.name, False, 0.0, self.points, str(failure))
        except Exception as error:  # a malformed answer must not crash the grading
            return CheckResult(
                self.name, False, 0.0, self.points,
                f"could not check this answer ({type(error).__name__}): make sure "
                f"{_names(self.params)} hold what the task asks for (type and shape).")
        return CheckResult(self.name, True, self.points, self.points, "")

    def run(self, values: dict[str, Any], variant: int | None = None) -> CheckResult:
        """Extract live values to plain data, then verify (what a notebook check cell does)."""
        from course_utils.checks._describe import laying_out
        from course_utils.checks._plain import missing, safe_plain

        with laying_out():
            answers = {name: safe_plain(values[name]) if name in values else missing()
                   for name in self.params}
        return self.verify(answers, current_variant() if variant is None else variant)

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        """``checks.name()`` in a notebook: check the notebook's variables, print one line."""
        if len(args) > len(self.params):
            raise TypeError(f"checks.{self.name}() reads {_names(self.params)}; call it with "
                            "no arguments in the check cell.")
        values = dict(zip(self.params, args))
        values.update(kwargs)
        if not args and not kwargs:
            namespace = sys._getframe(1).f_globals
            values = {name: namespace[name] for name in self.params if name in namespace}
        print(self.run(values).line())

    def __repr__(self) -> str:
        return f"<Check {self.exercise}.{self.name}({', '.join(self.params)}), {self.points:g} pt>"


def _names(params: tuple[str, ...]) -> str:
    return ", ".join(f"`{p}`" for p in params)


class CheckList:
    """The checks of one exercise, in order; ``checks.name`` or ``checks["name"]``."""

    def __init__(self, exercise: str):
        self.exercise = exercise
        self._checks: dict[str, Check] = {}
        self._make_task: Callable[[int], Any] | None = None
        self._tasks: dict[int, Any] = {}

    def add(self, points: float = 1) -> Callable[[Callable[..., Any]], Check]:
        """Decorator registering a check function worth ``points``."""
        if not (isinstance(points, (int, float)) and points > 0):
            raise ValueError(f"points must be a positive number, got {points!r}")

        def register(func: Callable[..., Any]) -> Check:
            check = Check(func, points, self)
            if check.name in self._checks:
                raise ValueError(f"{self.exercise}: two checks are called {check.name!r}")
            self._checks[check.name] = check
            return check
        return register

    def task_data(self, make: Callable[[int], Any]) -> Callable[[int], Any]:
        """Decorator registering ``make(variant) -> task data`` (deterministic, in memory)."""
        if self._make_task is not None:
            raise ValueError(f"{self.exercise}: task data are registered twice")
        self._make_task = make
        return make

    def task(self, variant: int | None = None) -> Any:
        """The task data of ``variant`` (default: this process's variant), made once."""
        if self._make_task is None:
            raise ValueError(f"{self.exercise} has no task data (register a function with "
                             "@checks.task_data)")
        variant = current_variant() if variant is None else variant_from(variant)
        if variant not in self._tasks:
            if len(self._tasks) >= 4:
                self._tasks.pop(next(iter(self._tasks)))
            self._tasks[variant] = self._make_task(variant)
        return self._tasks[variant]

    def __getitem__(self, name: str) -> Check:
        try:
            return self._checks[name]
        except KeyError:
            raise KeyError(f"{self.exercise} has no check {name!r}; its checks are: "
                           f"{', '.join(self._checks)}") from None

    def __getattr__(self, name: str) -> Check:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._checks[name]
        except KeyError:
            raise AttributeError(f"{self.exercise} has no check {name!r}") from None

    def __iter__(self) -> Iterator[Check]:
        return iter(self._checks.values())

    def __len__(self) -> int:
        return len(self._checks)

    @property
    def names(self) -> list[str]:
        return list(self._checks)

    @property
    def max_points(self) -> float:
        return sum(check.points for check in self)

    @property
    def variables(self) -> list[str]:
        """Every notebook variable some check reads, in order, without repeats."""
        return list(dict.fromkeys(p for check in self for p in check.params))

    def __repr__(self) -> str:
        return f"<CheckList {self.exercise}: {', '.join(self._checks)}>"
