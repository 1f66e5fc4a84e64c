"""The engine is usable without the TUI: importing and running it never loads textual, rich or plotext.

Each probe runs in a fresh interpreter (sys.executable) and reports what ended up in sys.modules;
the engine's source is also read for import statements, so that an import run only inside a
function (which the probes would not see) cannot reach the UI either.

The engine generates its data with NumPy alone, so it does not even import scikit-learn (which, from
version 1.9, imports rich itself when rich is installed).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import gdtui.engine

UI_PACKAGES = ("textual", "rich", "plotext", "textual_plotext")
ENGINE_MODULES = ("gdtui.engine", "gdtui.engine.config", "gdtui.engine.data", "gdtui.engine.losses",
                  "gdtui.engine.optim", "gdtui.engine.history", "gdtui.engine.trainer", "gdtui.engine.decision")

REPORT = textwrap.dedent(
    """
    import json, sys
    print(json.dumps({
        "loaded": sorted(m for m in sys.modules if m.startswith("gdtui")),
        "ui": sorted(m for m in sys.modules if m.split(".")[0] in %r),
        "sklearn": "sklearn" in sys.modules,
        "out": out,
    }))
    """
) % (UI_PACKAGES,)

IMPORT_ALL = textwrap.dedent(
    """
    import importlib, pkgutil
    for name in %r:
        importlib.import_module(name)
    import gdtui.engine
    found = sorted("gdtui.engine." + m.name for m in pkgutil.iter_modules(gdtui.engine.__path__))
    for name in found:  # every module of the package, including ones added later
        importlib.import_module(name)
    out = {"found": found}
    """
) % (ENGINE_MODULES,)

HAND_BUILT_TRAINER = textwrap.dedent(
    """
    import numpy as np
    from gdtui.engine import Dataset, TrainConfig, Trainer
    from gdtui.engine.data import with_bias
    rng = np.random.default_rng(0)
    X = with_bias(np.r_[rng.normal(2, 1, (40, 2)), rng.normal(-2, 1, (40, 2))])
    y = np.r_[np.ones(40), np.zeros(40)]
    trainer = Trainer(Dataset("hand", X, y, X, y), TrainConfig(seed=0, batch_size=16, optimizer="adam"))
    assert trainer.step_batch()
    assert trainer.step_epoch()
    trainer.run(3)
    snap = trainer.snapshot()
    out["epoch"] = snap.epoch
    """
)

FACTORY_TRAINER = textwrap.dedent(
    """
    from gdtui.engine import TrainConfig, create_trainer
    trainer = create_trainer(TrainConfig(samples=100, seed=0, batch_size=16, optimizer="nesterov"))
    assert trainer.step_batch()
    assert trainer.step_epoch()
    trainer.run(3)
    out["epoch"] = trainer.snapshot().epoch
    """
)

def probe(*parts: str, cwd) -> dict:
    code = "\n".join(parts) + REPORT
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_engine_module_imports_without_ui_packages(tmp_path):
    result = probe(IMPORT_ALL, cwd=tmp_path)
    assert result["ui"] == []
    assert set(ENGINE_MODULES) <= set(result["loaded"])
    assert set(result["out"]["found"]) <= set(result["loaded"])
    assert {"gdtui.engine." + m.split(".")[-1] for m in ENGINE_MODULES[1:]} <= set(result["out"]["found"])
    assert not any(m.startswith("gdtui.ui") for m in result["loaded"])
    assert result["sklearn"] is False


def test_a_trainer_builds_and_steps_without_ui_packages(tmp_path):
    result = probe(IMPORT_ALL, HAND_BUILT_TRAINER, cwd=tmp_path)
    assert result["out"]["epoch"] == 4  # one batch + the rest of epoch 1, then 3 more epochs
    assert result["ui"] == []
    assert not any(m.startswith("gdtui.ui") for m in result["loaded"])


def test_the_factory_path_loads_no_ui_package_nor_scikit_learn(tmp_path):
    full = probe(IMPORT_ALL, FACTORY_TRAINER, cwd=tmp_path)
    assert full["out"]["epoch"] == 4
    assert full["ui"] == []
    assert full["sklearn"] is False
    assert not any(m.startswith("gdtui.ui") for m in full["loaded"])


def test_the_probe_would_notice_a_ui_import(tmp_path):
    # the same probe, with rich imported on purpose next to the engine: the detector must report it
    result = probe(IMPORT_ALL, HAND_BUILT_TRAINER, "import rich.text", cwd=tmp_path)
    assert "rich" in result["ui"] and "rich.text" in result["ui"]


def imported_names(source: str, package: str) -> set[str]:
    """Every module an `import` or `from ... import` statement anywhere in `source` may load: the
    module and, for `from`, the module followed by each name (`from gdtui import ui` is gdtui.ui);
    relative imports resolved against `package`."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[:len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_engine_module_names_the_ui_in_an_import():
    sources = sorted(Path(gdtui.engine.__file__).parent.glob("*.py"))
    assert any(path.stem == "decision" for path in sources)
    for path in sources:
        names = imported_names(path.read_text(encoding="utf-8"), "gdtui.engine")
        bad = sorted(n for n in names if n == "gdtui.ui" or n.startswith("gdtui.ui.")
                     or n.split(".")[0] in UI_PACKAGES)
        assert bad == [], f"{path.name} imports {bad}"


def test_the_import_reader_resolves_relative_and_nested_imports():
    source = textwrap.dedent(
        """
        from ..ui import raster
        from . import data
        import rich.text

        def later():
            from gdtui import ui
        """
    )
    assert imported_names(source, "gdtui.engine") == {"gdtui.ui", "gdtui.ui.raster", "gdtui.engine",
                                                       "gdtui.engine.data", "rich.text", "gdtui"}
