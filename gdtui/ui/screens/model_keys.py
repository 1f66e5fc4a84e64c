"""The keys of `SoloScreen` that change the model (`gdtui.ui.model_settings` does the work): a
change that starts a new run draws its data afresh; one that keeps the run only redraws. A change
of loss, penalty or λ also forgets the landscapes kept (`surfaces`): they were of the other objective."""

from __future__ import annotations


class ModelKeys:
    """The model's part of `SoloScreen` (its session, `surfaces`, `_new_data` and `_done`)."""

    def _changed(self, change) -> None:
        before = self.session.trainer
        note = change()
        if self.session.trainer is not before:
            self._new_data()
        self._done(note)

    def action_cycle_loss(self) -> None:
        self.surfaces.forget()  # (the landscape is of the other loss)
        self._changed(self.session.settings.model.cycle_loss)

    def action_cycle_features(self) -> None:
        self._changed(self.session.settings.model.cycle_features)

    def action_toggle_standardize(self) -> None:
        self._changed(self.session.settings.model.toggle_standardize)

    def action_cycle_classes(self) -> None:
        self._changed(self.session.settings.model.cycle_classes)

    def action_cycle_penalty(self) -> None:
        self.surfaces.forget()  # (the landscape shows the penalized objective)
        self._changed(self.session.settings.model.cycle_penalty)

    def action_cycle_lam(self) -> None:
        self.surfaces.forget()
        self._changed(self.session.settings.model.cycle_lam)
