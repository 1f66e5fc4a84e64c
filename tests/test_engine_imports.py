"""The engine is usable without the TUI: importing and running it never loads textual, rich or plotext.

Each probe runs in a fresh interpreter (sys.executable) and reports what ended up in sys.modules.

One caveat, found by these tests: scikit-learn >= 1.9 imports `rich` itself when it is installed
(`sklearn.callback._progressbar` tries `from rich.progress import ...`, reached from sklearn.datasets and
sklearn.model_selection). gdtui depends on rich, so generating the lesson's data through scikit-learn loads
rich no matter what the engine does. The tests therefore check (1) the engine's own modules and a trainer on
a hand-built Dataset load no UI package at all, and (2) the full path through scikit-learn loads no UI
package beyond what importing those scikit-learn modules alone loads.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

UI_PACKAGES = ("textual", "rich", "plotext", "textual_plotext")
ENGINE_MODULES = ("gdtui.engine", "gdtui.engine.config", "gdtui.engine.data", "gdtui.engine.losses",
                  "gdtui.engine.optim", "gdtui.engine.history", "gdtui.engine.trainer")

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

SKLEARN_ALONE = textwrap.dedent(
    """
    import sklearn.datasets, sklearn.model_selection
    out = {}
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
    assert result["sklearn"] is False  # scikit-learn is imported lazily, when data are generated


def test_a_trainer_builds_and_steps_without_ui_packages(tmp_path):
    result = probe(IMPORT_ALL, HAND_BUILT_TRAINER, cwd=tmp_path)
    assert result["out"]["epoch"] == 4  # one batch + the rest of epoch 1, then 3 more epochs
    assert result["ui"] == []
    assert not any(m.startswith("gdtui.ui") for m in result["loaded"])


def test_the_factory_path_loads_no_ui_package_of_its_own(tmp_path):
    full = probe(IMPORT_ALL, FACTORY_TRAINER, cwd=tmp_path)
    assert full["out"]["epoch"] == 4
    assert full["sklearn"] is True
    assert not any(m.split(".")[0] in ("textual", "plotext", "textual_plotext") for m in full["ui"])
    assert not any(m.startswith("gdtui.ui") for m in full["loaded"])
    # whatever UI package is loaded, scikit-learn alone loads it too (rich, via sklearn.callback in 1.9)
    baseline = probe(SKLEARN_ALONE, cwd=tmp_path)
    assert set(full["ui"]) <= set(baseline["ui"])


def test_the_probe_would_notice_a_ui_import(tmp_path):
    # the same probe, with rich imported on purpose next to the engine: the detector must report it
    result = probe(IMPORT_ALL, HAND_BUILT_TRAINER, "import rich.text", cwd=tmp_path)
    assert "rich" in result["ui"] and "rich.text" in result["ui"]
