"""Per-epoch cost of gdtui's models, in process (median of 5 runs: 2000 full-batch epochs, or 100 epochs of
batch 32, 500 training rows).

    python tests/bench/models_cost.py
"""
import statistics, time
from gdtui.engine import TrainConfig, create_trainer

MODELS = {
    "lesson (sse, x1,x2: d=3)": dict(),
    "d=7 (sse, all 7 features, standardized)": dict(features=("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"), standardize=True),
    "d=7 with --penalty l2 --lam 0.1": dict(features=("x1", "x2", "x1^2", "x2^2", "x1x2", "sin1", "sin2"), standardize=True, penalty="l2", lam=0.1),
    "K=3 softmax (3 x 3 weights)": dict(classes=3, loss="softmax", alpha=0.001),
    "K=3 svm (3 x 3 weights)": dict(classes=3, loss="svm", alpha=0.001),
    "hinge (d=3)": dict(loss="hinge", alpha=0.001),
}
for name, changes in MODELS.items():
    for batch in (None, 32):
        epochs = 2000 if batch is None else 100
        times = []
        for _ in range(5):
            t = create_trainer(TrainConfig(seed=0, epochs=epochs, batch_size=batch, **{"alpha": 0.01, **changes}))
            start = time.perf_counter(); t.run(); times.append((time.perf_counter() - start) / epochs)
        print(f"{name}, {'full batch' if batch is None else 'batch 32'}: {1e3 * statistics.median(times):.3f} ms/epoch", flush=True)
