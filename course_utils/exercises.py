"""Generate exercise notebooks from solution notebooks (``python -m course_utils.exercises``).

``solutions/NN_skill.ipynb`` is the single source. The exercise ``exercises/NN_skill.ipynb`` is
made from it by:

- dropping outputs, execution counts and execution timings;
- turning a whole line ``name = <expr>  # SOLUTION`` into ``name = ...  # YOUR CODE HERE``;
- turning a block between ``# BEGIN SOLUTION`` and ``# END SOLUTION`` lines into
  ``# YOUR CODE HERE`` and ``raise NotImplementedError(...)`` at the block's indentation;
- keeping everything else (cell ids, metadata, markdown) and recording the exercise's name in
  the notebook metadata (``metadata["course_utils"]["exercise"]``) for the grader.

The same solution always gives the same bytes. Generation refuses a notebook whose markers are
unbalanced or left behind, or whose check cells do not match the exercise's
:class:`~course_utils.checks.CheckList`: every check appears exactly once, in a cell with id
``check-<name>`` that holds only the call ``checks.<name>()`` (the check reads its variables
from the notebook's namespace).

Command line::

    python -m course_utils.exercises                       # every solutions/*.ipynb -> exercises/
    python -m course_utils.exercises solutions/03_windowing.ipynb
    python -m course_utils.exercises --check               # exit 1 if exercises/ is out of date
    python -m course_utils.exercises --fix-ids solutions/03_windowing.ipynb   # set check-cell ids

Examples
--------
>>> print(strip_solution("vmin = level - width / 2  # SOLUTION"))
vmin = ...  # YOUR CODE HERE
>>> print(strip_solution("def f(x):\\n    # BEGIN SOLUTION\\n    return 2 * x\\n    # END SOLUTION"))
def f(x):
    # YOUR CODE HERE
    raise NotImplementedError("Write your code here, then delete this line.")
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import sys
from pathlib import Path
from typing import Any, Sequence

import nbformat

__all__ = [
    "ExerciseError", "STUB_COMMENT", "STUB_RAISE", "check_cells", "exercise_bytes",
    "fix_check_ids", "main", "make_exercise", "strip_solution",
]

STUB_COMMENT = "# YOUR CODE HERE"
STUB_RAISE = 'raise NotImplementedError("Write your code here, then delete this line.")'

_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<code>\S.*?)\s*#\s*SOLUTION\s*$")
_BEGIN = re.compile(r"^(?P<indent>[ \t]*)#+\s*BEGIN SOLUTION\s*$")
_END = re.compile(r"^(?P<indent>[ \t]*)#+\s*END SOLUTION\s*$")
# Anything that still looks like a marker after stubbing is an authoring mistake.
_LEFTOVER = re.compile(r"#.*\b(?:BEGIN|END)\s+SOLUTION\b|#\s*SOLUTION\b", re.IGNORECASE)
_TIMING_KEYS = ("execution", "ExecuteTime")
_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class ExerciseError(ValueError):
    """A solution notebook from which no valid exercise can be made; ``.problems`` lists why."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


# --------------------------------------------------------------------------- source stubs

def _stub_assignment(code: str) -> str | None:
    """``name = <expr>`` -> ``name = ...`` (one ``...`` per name of a tuple target), or None."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return None
    if len(tree.body) != 1:
        return None
    node = tree.body[0]
    if isinstance(node, ast.Assign):
        target = node.targets[-1]
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        target = node.target
    else:
        return None
    if node.value.lineno != 1:
        return None
    prefix = code.encode()[:node.value.col_offset].decode().rstrip()
    blank = "..."
    if isinstance(target, (ast.Tuple, ast.List)):
        if any(isinstance(element, ast.Starred) for element in target.elts):
            return None
        blank = ", ".join(["..."] * len(target.elts))
    return f"{prefix} {blank}"


def strip_solution(source: str, where: str = "cell") -> str:
    """Replace the marked solution code in one cell's source by stubs.

    Raises
    ------
    ExerciseError
        if a marker is malformed: ``# SOLUTION`` on a line that is not an assignment,
        a block never closed, an ``# END SOLUTION`` without its ``# BEGIN SOLUTION``, nested
        blocks, or a marker left in the result.
    """
    problems: list[str] = []
    out: list[str] = []
    block_start: int | None = None
    lines = source.split("\n")
    for number, line in enumerate(lines, start=1):
        begin, end = _BEGIN.match(line), _END.match(line)
        if begin:
            if block_start is not None:
                problems.append(f"{where}, line {number}: `# BEGIN SOLUTION` inside the block "
                                f"opened at line {block_start}; close it with "
                                "`# END SOLUTION` first (blocks do not nest).")
                continue
            block_start = number
            indent = begin.group("indent")
            out.append(f"{indent}{STUB_COMMENT}")
            out.append(f"{indent}{STUB_RAISE}")
            continue
        if end:
            if block_start is None:
                problems.append(f"{where}, line {number}: `# END SOLUTION` without a "
                                "`# BEGIN SOLUTION` before it in the same cell.")
            block_start = None
            continue
        if block_start is not None:
            continue
        marked = _LINE.match(line)
        if marked:
            stub = _stub_assignment(marked.group("code"))
            if stub is None:
                problems.append(
                    f"{where}, line {number}: `# SOLUTION` marks a line that is not a whole "
                    "assignment `name = <expr>`; put multi-line or other solution code between "
                    "`# BEGIN SOLUTION` and `# END SOLUTION` lines.")
                out.append(line)
                continue
            out.append(f"{marked.group('indent')}{stub}  {STUB_COMMENT}")
            continue
        out.append(line)
    if block_start is not None:
        problems.append(f"{where}, line {block_start}: `# BEGIN SOLUTION` is never closed by "
                        "`# END SOLUTION` in the same cell.")
    result = "\n".join(out)
    if not problems:
        for number, line in enumerate(out, start=1):
            if _LEFTOVER.search(line):
                problems.append(f"{where}: a solution marker is left in the exercise "
                                f"(line {number}: {line.strip()!r}); write markers exactly "
                                "as `# SOLUTION`, `# BEGIN SOLUTION`, `# END SOLUTION`.")
    if problems:
        raise ExerciseError(problems)
    return result


# --------------------------------------------------------------------------- check cells

def _python(source: str) -> ast.Module | None:
    """A code cell's source as Python (IPython magics turned into calls), None if unparsable."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def _check_calls(tree: ast.Module) -> list[ast.Call]:
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "checks"]


def _only_call(tree: ast.Module) -> ast.Call | None:
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr):
        call = tree.body[0].value
        if call in _check_calls(tree):
            return call  # type: ignore[return-value]
    return None


def _cell_name(index: int, cell: Any) -> str:
    return f"cell {index + 1} (id {cell.get('id', '?')!r})"


def check_cells(nb: Any, checklist: Any, where: str = "notebook") -> tuple[dict[str, int], list[str]]:
    """Find the check cell of every check; return ``({name: cell index}, problems)``.

    A check cell holds only ``checks.<name>()`` and has the id
    ``check-<name>``. Every check of ``checklist`` has exactly one.
    """
    problems: list[str] = []
    calls: dict[str, list[int]] = {}
    ids: dict[str, int] = {}
    for index, cell in enumerate(nb.cells):
        cell_id = cell.get("id")
        if isinstance(cell_id, str):
            ids.setdefault(cell_id, index)
        if cell.cell_type != "code":
            continue
        tree = _python(cell.source)
        if tree is None:
            problems.append(f"{where}: {_cell_name(index, cell)} is not valid Python.")
            continue
        found = _check_calls(tree)
        only = _only_call(tree)
        for call in found:
            name = call.func.attr  # type: ignore[attr-defined]
            if name not in checklist.names:
                # checks.task(), checks.write_series()...: the exercise module's helpers, fine
                # anywhere but in a check cell
                if isinstance(cell_id, str) and cell_id.startswith("check-"):
                    problems.append(f"{where}: {_cell_name(index, cell)} calls "
                                    f"`checks.{name}`, which is not a check of "
                                    f"{checklist.exercise} (its checks: "
                                    f"{', '.join(checklist.names)}).")
                continue
            calls.setdefault(name, []).append(index)
            if call is not only:
                problems.append(f"{where}: {_cell_name(index, cell)} calls `checks.{name}` "
                                "among other code; a check cell holds only the call.")
        if isinstance(cell_id, str) and cell_id.startswith("check-"):
            named = cell_id[len("check-"):]
            if named not in checklist.names:
                problems.append(f"{where}: {_cell_name(index, cell)} has a check id but "
                                f"{checklist.exercise} has no check {named!r}.")
    located: dict[str, int] = {}
    for check in checklist:
        expected = f"checks.{check.name}()"
        where_called = calls.get(check.name, [])
        if not where_called:
            problems.append(f"{where}: check {check.name!r} has no check cell; add a code cell "
                            f"holding only `{expected}` after its task.")
            continue
        if len(where_called) > 1:
            cells = ", ".join(str(i + 1) for i in where_called)
            problems.append(f"{where}: check {check.name!r} is called in cells {cells}; "
                            "call each check exactly once.")
            continue
        index = where_called[0]
        cell = nb.cells[index]
        call = _only_call(_python(cell.source))  # type: ignore[arg-type]
        if call is None:
            continue  # already reported: other code in the cell
        if call.keywords or call.args:
            problems.append(f"{where}: {_cell_name(index, cell)} should be exactly "
                            f"`{expected}` (a check reads its variables, "
                            f"{', '.join(check.params)}, from the notebook).")
        if cell.get("id") != f"check-{check.name}":
            problems.append(f"{where}: {_cell_name(index, cell)} calls `checks.{check.name}` "
                            f"but its id is not 'check-{check.name}'; run `python -m "
                            "course_utils.exercises --fix-ids` on the solution.")
        located[check.name] = index
    return located, problems


# --------------------------------------------------------------------------- notebooks

def _read(path: Path) -> Any:
    try:
        return nbformat.reads(path.read_text(encoding="utf-8"), as_version=nbformat.NO_CONVERT)
    except Exception as error:  # invalid JSON, not a notebook
        raise ExerciseError([f"{path}: not a readable notebook ({type(error).__name__}: "
                             f"{error})"]) from None


def _checklist(stem: str, where: str) -> Any:
    from course_utils import checks

    try:
        return checks.for_exercise(stem)
    except KeyError as error:
        raise ExerciseError([f"{where}: no checks for exercise {stem!r} "
                             f"({error.args[0]}); write course_utils/checks/ex{stem}.py "
                             "first."]) from None


def make_exercise(solution: Any, checklist: Any, where: str = "notebook") -> Any:
    """The exercise notebook made from a solution notebook (a new NotebookNode).

    Raises
    ------
    ExerciseError
        listing every problem found: marker errors, a cell without an id, check cells that
        do not match ``checklist``, a solution without any marker, a stub that does not parse.
    """
    problems: list[str] = []
    if solution.get("nbformat") != 4 or solution.get("nbformat_minor", 0) < 5:
        problems.append(f"{where}: nbformat 4.5 or newer is needed (cells need ids); "
                        "open and save it with a current Jupyter, or run --fix-ids.")
    _, found = check_cells(solution, checklist, where)
    problems += found
    exercise = copy.deepcopy(solution)
    changed = False
    for index, cell in enumerate(exercise.cells):
        if not isinstance(cell.get("id"), str) or not _ID.match(cell["id"]):
            problems.append(f"{where}: cell {index + 1} has no valid id; run --fix-ids.")
        for key in _TIMING_KEYS:
            cell.get("metadata", {}).pop(key, None)
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        try:
            stubbed = strip_solution(cell.source, f"{where}: {_cell_name(index, cell)}")
        except ExerciseError as error:
            problems += error.problems
            continue
        if stubbed != cell.source:
            changed = True
            if _python(stubbed) is None:
                problems.append(f"{where}: {_cell_name(index, cell)} is not valid Python "
                                "once stubbed; check the markers' indentation.")
        cell.source = stubbed
    if not changed and not problems:
        problems.append(f"{where}: no solution markers (`# SOLUTION`, `# BEGIN SOLUTION`): "
                        "the exercise would be the solution.")
    if problems:
        raise ExerciseError(problems)
    exercise.metadata.setdefault("course_utils", {})["exercise"] = checklist.exercise
    return exercise


def _to_bytes(nb: Any) -> bytes:
    text = nbformat.writes(nb)
    if not text.endswith("\n"):
        text += "\n"
    return text.encode("utf-8")


def exercise_bytes(solution_path: str | Path, checklist: Any = None) -> bytes:
    """The bytes of the exercise generated from ``solution_path`` (deterministic).

    ``checklist`` defaults to the exercise's checks, ``course_utils.checks.for_exercise(stem)``.
    """
    path = Path(solution_path)
    if checklist is None:
        checklist = _checklist(path.stem, str(path))
    return _to_bytes(make_exercise(_read(path), checklist, str(path)))


def fix_check_ids(solution_path: str | Path, checklist: Any = None) -> list[str]:
    """Give each check cell of a solution the id ``check-<name>``; return what changed.

    Cells without ids get one (``cell-<n>``). The file is rewritten only if something changed.
    """
    path = Path(solution_path)
    if checklist is None:
        checklist = _checklist(path.stem, str(path))
    nb = _read(path)
    changes: list[str] = []
    if nb.get("nbformat") == 4 and nb.get("nbformat_minor", 0) < 5:
        nb["nbformat_minor"] = 5
        changes.append("nbformat_minor set to 5 (cell ids)")
    used = {cell.get("id") for cell in nb.cells}
    for index, cell in enumerate(nb.cells):
        if not isinstance(cell.get("id"), str) or not _ID.match(cell["id"]):
            fresh = f"cell-{index + 1}"
            while fresh in used:
                fresh += "x"
            cell["id"] = fresh
            used.add(fresh)
            changes.append(f"cell {index + 1}: id {fresh!r}")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = _python(cell.source)
        call = _only_call(tree) if tree is not None else None
        if call is None or call.func.attr not in checklist.names:  # type: ignore[attr-defined]
            continue
        wanted = f"check-{call.func.attr}"  # type: ignore[attr-defined]
        if cell["id"] == wanted:
            continue
        for other_index, other in enumerate(nb.cells):
            if other is not cell and other.get("id") == wanted:  # free the id
                fresh = f"cell-{other_index + 1}"
                while fresh in used:
                    fresh += "x"
                other["id"] = fresh
                used.add(fresh)
                changes.append(f"cell {other_index + 1}: id {wanted!r} -> {fresh!r}")
        changes.append(f"cell {index + 1}: id {cell['id']!r} -> {wanted!r}")
        used.discard(cell["id"])
        cell["id"] = wanted
        used.add(wanted)
    if changes:
        path.write_bytes(_to_bytes(nb))
    return changes


# --------------------------------------------------------------------------- command line

def main(argv: Sequence[str] | None = None) -> int:
    """Command line; returns the exit status (0 fine, 1 problems or out of date, 2 usage)."""
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.exercises",
        description="Generate exercise notebooks (stubs, no outputs) from solution notebooks.")
    parser.add_argument("solutions", nargs="*", type=Path,
                        help="solution notebooks (default: every solutions/*.ipynb)")
    parser.add_argument("--out", type=Path, default=Path("exercises"),
                        help="folder for the exercises (default: exercises)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if an exercise differs from what would be "
                             "generated or is missing")
    parser.add_argument("--fix-ids", action="store_true",
                        help="set the ids of the check cells in the solution notebooks "
                             "(rewrites the solutions), then generate")
    args = parser.parse_args(argv)

    default_run = not args.solutions
    paths = args.solutions or sorted(Path("solutions").glob("*.ipynb"))
    if not paths:
        print("no solution notebooks: give their paths, or run from the course's root "
              "(solutions/*.ipynb)", file=sys.stderr)
        return 2
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2

    failed = False
    stale: list[str] = []
    for path in paths:
        try:
            if args.fix_ids and not args.check:
                for change in fix_check_ids(path):
                    print(f"{path}: {change}")
            generated = exercise_bytes(path)
        except ExerciseError as error:
            failed = True
            for problem in error.problems:
                print(f"error: {problem}", file=sys.stderr)
            continue
        target = args.out / f"{path.stem}.ipynb"
        current = target.read_bytes() if target.is_file() else None
        if args.check:
            if current is None:
                stale.append(f"{target}: missing")
            elif current != generated:
                stale.append(f"{target}: differs from what {path} generates")
            continue
        if current != generated:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(generated)
            print(f"wrote {target}")
        else:
            print(f"{target} is up to date")
    if args.check and default_run and args.out.is_dir():
        sources = {path.stem for path in paths}
        for extra in sorted(args.out.glob("*.ipynb")):
            if extra.stem not in sources:
                stale.append(f"{extra}: has no solution notebook")
    for line in stale:
        print(line, file=sys.stderr)
    if stale:
        print("exercises are out of date: run `python -m course_utils.exercises`",
              file=sys.stderr)
    return 1 if failed or stale else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
