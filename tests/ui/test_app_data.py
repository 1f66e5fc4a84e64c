"""Changing the data inside the TUI: cycling generated sets, the data form, refusals in place."""

from __future__ import annotations

import numpy as np

from gdtui.engine import TrainConfig, load_dataset
from gdtui.ui.screens.data_form import DataForm



async def fill_form(pilot, dataset: str, samples: str, noise: str) -> None:
    for name, value in (("dataset", dataset), ("samples", samples), ("noise", noise)):
        pilot.app.screen.query_one(f"#data-{name}").value = value
    pilot.app.screen.query_one("#data-noise").focus()
    await pilot.press("enter")
    await pilot.pause()


async def test_d_cycles_the_generated_sets_with_the_same_settings(make_app, size):
    app = make_app(alpha=0.05, optimizer="adam")
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "d")
        await pilot.pause()
        trainer = app.session.trainer
        assert trainer.config.dataset == "moons" and trainer.epoch == 0
        assert trainer.config.alpha == 0.05 and trainer.config.optimizer == "adam"
        expected = load_dataset(TrainConfig(dataset="moons"))
        np.testing.assert_array_equal(trainer.data.X_train, expected.X_train)
        assert app.solo.query_one('#picture').border_title.startswith("moons")
        await pilot.press("d", "d")
        assert app.session.trainer.config.dataset == "blobs"


async def test_the_form_loads_a_csv_and_shows_its_labels(make_app, tmp_path, size):
    path = tmp_path / "pets.csv"
    rows = ["x1,x2,animal"] + [f"{i % 7},{i % 5},{'cat' if i % 2 else 'dog'}" for i in range(40)]
    path.write_text("\n".join(rows) + "\n")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, DataForm)
        await fill_form(pilot, str(path), "1000", "")
        assert not isinstance(app.screen, DataForm)
        assert app.session.trainer.data.labels == ("cat", "dog")
        assert len(app.session.trainer.data.y_train) + len(app.session.trainer.data.y_test) == 40
        assert "o cat  x dog" in str(app.solo.query_one('#picture').border_subtitle)


async def test_a_bad_file_is_refused_in_place_and_the_data_kept(make_app, tmp_path, size):
    bad = tmp_path / "three.csv"
    bad.write_text("1,2,a\n3,4,b\n5,6,c\n")
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("space", "space", "D")
        await pilot.pause()
        data_before, epoch_before = app.session.trainer.data, app.session.trainer.epoch
        for dataset, samples, noise, reason in [
            (str(bad), "1000", "", "3 classes (a -> 0, b -> 1, c -> 2) need --loss softmax or svm"),
            (str(tmp_path / "missing.csv"), "1000", "", "no such file"),
            ("blobs", "abc", "", "samples must be a whole number"),
            ("blobs", "5", "", "refused: samples must be"),
            ("moons", "1000", "-1", "refused: noise must be"),
        ]:
            await fill_form(pilot, dataset, samples, noise)
            assert isinstance(app.screen, DataForm)
            assert reason in str(app.screen.query_one("#data-error").render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.trainer.data is data_before and app.session.trainer.epoch == epoch_before
