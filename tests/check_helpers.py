"""Assertions shared by the tests of the exercise checks (tests/test_checks_exNN_*.py)."""

from __future__ import annotations

from typing import Any


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
