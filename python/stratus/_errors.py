"""The errors stratus raises for bad scenarios."""

from __future__ import annotations

from typing import List, NamedTuple, Sequence, Tuple


class Problem(NamedTuple):
    """One problem in a scenario, as `stratus validate` prints it:
    ``FILE:LINE:COL: PATH: message``.

    ``file`` is the file as given (``<string>`` / ``<dict>`` for text and
    dicts), or ``--set``, ``--variant``, ``--seed`` for values given by
    :meth:`Scenario.set`, :meth:`Scenario.variant` and ``seed=``; ``line``
    and ``col`` count from 1 (for ``--set``: which set, 1 = the first, and the
    character within ``PATH=VALUE``); ``path`` is the field path (empty when
    the problem is not about one field).
    """

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        if self.path:
            return f"{self.file}:{self.line}:{self.col}: {self.path}: {self.message}"
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that does not load: every problem, in file order.

    ``str(err)`` is what ``stratus validate`` prints (one problem per line);
    ``err.problems`` is the list of :class:`Problem`.
    """

    problems: List[Problem]

    def __init__(self, message: str, problems: Sequence[Tuple[str, int, int, str, str]] = ()):
        super().__init__(message)
        self.problems = [p if isinstance(p, Problem) else Problem(*p) for p in problems]
