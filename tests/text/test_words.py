"""Every code the rules return has words: a missing one would be a KeyError at run time."""

from __future__ import annotations

from typing import get_args

from extracredit.core.vocab import ConfigProblem, ProblemCode
from extracredit.text import config as config_words
from extracredit.text import problems as problem_words


def test_every_problem_code_has_words_and_a_fix() -> None:
    codes = set(get_args(ProblemCode))
    assert codes == set(problem_words._PROBLEMS) == set(problem_words._FIXES)


def test_every_configuration_problem_has_words() -> None:
    # A problem of the whole file has a sentence of its own; "unreadable" comes with its words.
    worded = set(config_words._PROBLEMS) | set(config_words._WHOLE_FILE) | {"unreadable"}
    assert set(get_args(ConfigProblem)) == worded
