"""gdtui's training loop alone, timed inside the process (the comparison row beside the whole-process one).

    python tests/bench/engine_loop.py SAMPLES EPOCHS W0,W1,W2

Builds the trainer as `gdtui train` does (same data, alpha 0.01, the given start), then prints one
JSON object: the seconds `Trainer.run` took for EPOCHS epochs and the last epoch's loss.
"""

import json
import sys
import time

from gdtui.engine import TrainConfig, create_trainer


def main() -> None:
    samples, epochs = int(sys.argv[1]), int(sys.argv[2])
    start = tuple(float(v) for v in sys.argv[3].split(","))
    trainer = create_trainer(TrainConfig(samples=samples, epochs=epochs, alpha=0.01, init_weights=start, seed=0))
    started = time.perf_counter()
    trainer.run()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "epochs": trainer.epoch, "loss": float(trainer.history.losses[-1])}))


if __name__ == "__main__":
    main()
