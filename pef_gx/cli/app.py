"""`pef-gx` entry point and its one error boundary.

Commands live in one module each and register themselves on `app`; heavy libraries (dbt, GX, pandas)
are imported inside the commands that need them so `pef-gx --help` stays fast.
"""

from __future__ import annotations

import gc
import os
import sys

import typer

from pef_gx import __version__
from pef_gx.errors import PefGxError

app = typer.Typer(
    name="pef-gx",
    help="Great Expectations and dbt as one data-quality system.\n\n"
    "Example: pef-gx build   (dbt build on the project in pef-gx.yml, then the GX checkpoint)",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

_state = {"debug": bool(os.environ.get("PEF_GX_DEBUG"))}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"pef-gx {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks and dbt's own error output."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Great Expectations and dbt as one data-quality system."""
    _state["debug"] = _state["debug"] or debug


def _register_commands() -> None:
    """Import every `pef_gx.cli.*_cmd` module: each adds its command(s) to `app` and is light to import."""
    import importlib
    import pkgutil

    import pef_gx.cli as cli_package

    for module in sorted(m.name for m in pkgutil.iter_modules(cli_package.__path__)):
        if module.endswith("_cmd"):
            importlib.import_module(f"pef_gx.cli.{module}")


def unexpected(exc: BaseException) -> str:
    """One line for an error no typed PefGxError caught: a full disk, or a pef-gx bug to report."""
    from pef_gx.warehouse.faults import DISK_FULL, classify, first_line

    if classify(exc) == DISK_FULL:
        return (
            "disk full: free some space and run again (files pef-gx writes are replaced only when complete)"
        )
    return (
        f"internal error: {type(exc).__name__}: {first_line(exc)[:200]} "
        "(a pef-gx bug: rerun with --debug for the traceback and report it)"
    )


def main(argv: list[str] | None = None) -> None:
    """Console-script entry: run the app; every PefGxError becomes one line on stderr and exit 2."""
    try:
        _main(argv)
    finally:
        if argv is None:  # the process ends here: skip the final garbage collection of GX's large heap
            gc.freeze()  # (interpreter teardown took ~1 s after a checkpoint; atexit and threads still run)


def _main(argv: list[str] | None) -> None:
    _register_commands()
    try:
        code = app(args=argv, standalone_mode=False)
    except PefGxError as exc:
        if _state["debug"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # usage errors: unknown command or option, missing argument
        show = getattr(exc, "show", None)
        if show:
            show()
        sys.exit(getattr(exc, "exit_code", 2))
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # never a traceback with exit 1, which reads as "checks failed"
        if _state["debug"]:
            raise
        typer.echo(f"error: {unexpected(exc)}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
