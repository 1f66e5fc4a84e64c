"""What the CLI tests share: running `gdtui.cli.main` in-process as the shell would."""

from __future__ import annotations

from gdtui.cli import main


def run(capsys, *args):
    """`gdtui ARGS...` in this process: (exit status, stdout, stderr)."""
    try:
        code = main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err
