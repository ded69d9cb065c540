"""The floor plan holds (docs/architecture.md): the import contract in pyproject.toml
([tool.importlinter], run by `make test` as `lint-imports`) is kept by the code, it breaks on a
deliberately wrong import, and no module of ours takes part in an import cycle."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
PACKAGES = CONTRACT["root_packages"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
FIXTURES = Path(__file__).resolve().parent / "data" / "import_contract"

# Cycles still being taken apart. A cycle found must lie within one of these; remove an entry
# once its cycle is gone. None is left.
PENDING_CYCLES: list[set[str]] = []


def lint_imports(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(where / "pyproject.toml")],
        cwd=where, capture_output=True, text=True, timeout=600,
        env={**os.environ, "PYTHONPATH": str(where)},
    )


def _python_only(directory, names):
    return [n for n in names if n == "__pycache__" or (
        not n.endswith(".py") and not os.path.isdir(os.path.join(directory, n)))]


@pytest.fixture
def copy_of_the_code(tmp_path) -> Path:
    """Our packages (Python files only) and pyproject.toml, with its contract, in tmp_path."""
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=_python_only)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_the_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout
    assert "0 broken" in result.stdout


def test_the_copy_keeps_the_contract_too(copy_of_the_code):
    """The wrong imports below are the only difference that makes the copy fail."""
    result = lint_imports(copy_of_the_code)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(("module", "source", "broken", "named"), [
    # The ground floor reaching up to the top floor.
    ("people/wrong_way.py", "from portal import views\n",
     "The ground floor imports no app above it", "people.wrong_way -> portal.views"),
    # Money looking at scores.
    ("fund/wrong_way.py", "from reviews import models\n",
     "fund does not import reviews", "fund.wrong_way -> reviews.models"),
    # An app using the wiring as a library.
    ("proposals/wrong_way.py", "from config import celery\n",
     "Nothing imports config", "proposals.wrong_way -> config.celery"),
    # A domain floor reaching a floor above it.
    ("reviews/wrong_way.py", "def later():\n    from rewards import selectors\n",
     "Floors: each app imports only the floors below it", "reviews.wrong_way -> rewards.selectors"),
    # Two ground-floor pieces that must not know each other.
    ("api_common/wrong_way.py", "import securitylog.models\n",
     "do not know each other", "api_common.wrong_way -> securitylog.models"),
])
def test_a_wrong_import_breaks_the_contract(copy_of_the_code, module, source, broken, named):
    (copy_of_the_code / module).write_text(source)
    result = lint_imports(copy_of_the_code)
    assert result.returncode != 0
    assert f"{broken}" in result.stdout
    broken_lines = [line for line in result.stdout.splitlines() if "BROKEN" in line]
    assert any(broken in line for line in broken_lines), result.stdout
    assert named in result.stdout


def import_cycles(*packages: str) -> list[set[str]]:
    """Groups of modules that import one another, directly or round a loop (imports inside
    functions count): the strongly connected components of the import graph, of two or more."""
    graph = grimp.build_graph(*packages, cache_dir=None)
    modules = sorted(graph.modules)
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[set[str]] = []
    counter = 0
    for start in modules:  # Tarjan's algorithm, iteratively
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            module, position = work.pop()
            if position == 0:
                index[module] = low[module] = counter
                counter += 1
                stack.append(module)
                on_stack.add(module)
            targets = imports[module]
            if position < len(targets):
                work.append((module, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[module] = min(low[module], index[target])
                continue
            if low[module] == index[module]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == module:
                        break
                if len(component) > 1:
                    cycles.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[module])
    return cycles


def test_the_cycle_finder_sees_a_cycle(monkeypatch):
    monkeypatch.syspath_prepend(str(FIXTURES))
    assert import_cycles("cyclic_fixture") == [
        {"cyclic_fixture.first", "cyclic_fixture.second"}
    ]


def test_no_import_cycles_but_those_pending():
    unexpected = [sorted(cycle) for cycle in import_cycles(*PACKAGES)
                  if not any(cycle <= pending for pending in PENDING_CYCLES)]
    assert unexpected == [], "Modules that import one another:\n" + "\n".join(
        " <-> ".join(cycle) for cycle in unexpected)
