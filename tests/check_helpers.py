"""Assertions shared by the tests of the exercise checks (tests/test_checks_exNN_*.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from course_utils.checks import _plain


def grade(check: Any, variant: int = 0, **values: Any) -> Any:
    """Check live values exactly as the grader does: extracted in untrusted mode, written to an
    answers file, read back, verified for ``variant``.

    ``check`` is a Check (``checks.window_limits`` of an exercise module).
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.json"
        _plain.extract_to_file(values, list(check.params), path)
        answers = _plain.load_answers(path)
    return check.verify(answers, variant=variant)


def task(check: Any, variant: int = 0) -> Any:
    """The task data a check sees for ``variant``."""
    return check.checklist.task(variant)


def assert_fails(result: Any, *words: str, answer: Any = None, forbidden: tuple = (),
                 ignore_case: bool = False) -> None:
    """The check failed; its message names every word and gives away neither answer."""
    assert not result.passed, f"{result.name} passed a wrong answer"
    message = result.message.lower() if ignore_case else result.message
    for word in words:
        assert (word.lower() if ignore_case else word) in message, result.message
    given_away = [*forbidden] + ([] if answer is None else [answer])
    for text in given_away:
        assert str(text) not in result.message, result.message
