"""Classification report and confusion matrix of the weights shown, on the train or test split."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from gdtui.engine.evaluate import Evaluation


FULL_REPORT_WIDTH = 56
"""From this content width on, scikit-learn's report is shown as it prints it."""


def _compact(evaluation: Evaluation) -> Table:
    table = Table(box=None, padding=(0, 1), pad_edge=False)
    table.add_column("", no_wrap=True)
    for title in ("prec", "recall", "f1", "n"):
        table.add_column(title, justify="right", header_style="dim")
    for name, precision, recall, f1, support in evaluation.rows:
        table.add_row(name, f"{precision:.2f}", f"{recall:.2f}", f"{f1:.2f}", str(support))
    return table


class EvaluationView(Static):
    def show(self, evaluation: Evaluation) -> None:
        (tn, fp), (fn, tp) = evaluation.confusion
        names = [row[0] for row in evaluation.rows[:2]]
        matrix = Table(title="confusion matrix (rows true, columns predicted)", title_style="dim",
                       box=None, padding=(0, 2), title_justify="left")
        matrix.add_column("")
        for name in names:
            matrix.add_column(f"pred {name}", justify="right")
        matrix.add_row(f"true {names[0]}", Text(str(tn), "bold #5fff5f"), Text(str(fp), "bold #ff5f5f"))
        matrix.add_row(f"true {names[1]}", Text(str(fn), "bold #ff5f5f"), Text(str(tp), "bold #5fff5f"))
        self.border_title = f"{evaluation.split} split · epoch {evaluation.epoch}"
        self.border_subtitle = f"accuracy {100 * evaluation.accuracy:.1f}%"
        if self.content_size.width >= FULL_REPORT_WIDTH:
            report = Text(evaluation.report.rstrip("\n"), no_wrap=True, overflow="crop")
        else:
            report = _compact(evaluation)
        self.update(Group(Text("classification report (scikit-learn)", style="dim"), report, Text(""), matrix))
