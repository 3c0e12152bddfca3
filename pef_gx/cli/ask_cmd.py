"""`pef-gx ask`: dbt for people."""

from __future__ import annotations

from pathlib import Path

import typer

from pef_gx.cli import options
from pef_gx.cli.app import app
from pef_gx.cli.console import console, interactive, node_progress

_STYLE = {"pass": "green", "success": "green", "warn": "yellow", "fail": "red", "error": "red"}


@app.command()
def ask(
    request: str | None = typer.Argument(None, help="What you want, in plain English (quote it)."),
    project_dir: Path | None = options.ProjectDir,
    profiles_dir: Path | None = options.ProfilesDir,
    target: str | None = options.Target,
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the SQL/YAML it would write; write nothing."
    ),
    no_verify: bool = typer.Option(False, "--no-verify", help="Write, but do not run dbt to check it."),
    source: str | None = typer.Option(None, "--source", help="Model requests: the model to read from."),
    name: str | None = typer.Option(None, "--name", help="Model requests: the new model's name."),
    no_propose: bool = typer.Option(
        False, "--no-propose", help="Test requests: only the check asked for (no relationships proposal)."
    ),
    list_templates: bool = typer.Option(
        False, "--list-templates", help="List the model templates (generators/ first, then the package's)."
    ),
) -> int:
    """Turn a plain-English request into dbt tests or a dbt model, write it, and check it by running dbt.

    Test requests write dbt tests into the model's properties YAML (and the same checks into its GX
    suite), then run `dbt test` on them. Model requests write models/generated/<name>.sql with its
    properties YAML, then run `dbt build` on it. A rule-based reader of your manifest and warehouse: every
    word must be read, else it refuses and names the words (exit 2); a column several models have is a
    question. Models are composed from a measure (count, total, average, min/max, first/last, share of),
    filters on real values, a time grain, a grouping column and a window; the grouping column or a filter
    value may be in a related model, joined (up to two hops) only on its unique key so no row is
    duplicated. The project's dbt metrics and measures (semantic models) are read by name or label, with
    their filter and time dimension; dimensions and entities name grouping columns and joins. Templates
    live in generators/ (--list-templates). Optional language model: set PEF_GX_LLM_URL (OpenAI-compatible), PEF_GX_LLM_MODEL,
    PEF_GX_LLM_API_KEY; its plan is checked against the project. Exit 1 when a new check fails on the data.

    Examples:

      pef-gx ask "make sure product_id in sales is never null"

      pef-gx ask "status of fct_orders must be one of placed, shipped, completed" --dry-run

      pef-gx ask "a model for customer lifetime value"

      pef-gx ask "monthly sales by product category" --target postgres

      pef-gx ask "share of returned orders per month"

      pef-gx ask "total order amount for customers in Germany"

      pef-gx ask "monthly billings"   (billings: a metric of the project's semantic layer)
    """
    from pef_gx.runner.ask import ask as run_ask

    settings = options.settings_from(project_dir, profiles_dir, target)
    if list_templates:
        return _list_templates(settings)
    if not request:
        from pef_gx.errors import ConfigError

        raise ConfigError("no request given", 'e.g. pef-gx ask "a model for daily revenue"')
    with node_progress(interactive() and not dry_run, "dbt") as on_node:
        outcome = run_ask(
            settings,
            request,
            dry_run=dry_run,
            verify=not no_verify,
            source=source,
            name=name,
            propose=not no_propose,
            on_node=on_node,
        )
    _render(outcome, dry_run)
    return outcome.exit_code


def _list_templates(settings) -> int:
    from rich.markup import escape

    from pef_gx.generators.natural_language import USER_FOLDER, list_templates

    out = console()
    for template in list_templates(settings.root / USER_FOLDER):
        line = f"{template.name}  [{template.origin}] {_rel(template.path, settings.root)}"
        if template.phrase:
            line += f"\n    phrase: {template.phrase}"
        if template.description:
            line += f"\n    {template.description}"
        out.print(escape(line), soft_wrap=True)
    return 0


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _render(outcome, dry_run: bool) -> None:
    from rich.markup import escape

    from pef_gx.generators.natural_language import CustomTestIntent, TestIntent

    rich_console = console()

    def say(text: str, **kwargs) -> None:  # long lines stay whole (paths, test names)
        rich_console.print(text, soft_wrap=True, **kwargs)

    intent = outcome.intent
    root = outcome.project.dir.parent
    if intent.reading:  # which words became which part of the plan
        say("read: " + escape("; ".join(str(part) for part in intent.reading)))
    if isinstance(intent, CustomTestIntent):
        say(f"understood: a {intent.key} test on {intent.model.name} ({intent.model.path})")
        for spec in intent.specs:
            say(f"  + {spec.description} (severity {spec.severity.value}), in its meta: pef_gx.{intent.key}")
    elif isinstance(intent, TestIntent):
        say(f"understood: checks on {intent.model.name} ({intent.model.path})")
        for note in intent.notes:
            say(f"  note: {escape(note)}")
        for check in intent.checks:
            label = "proposed" if check.proposed else "asked"
            line = f"  {label}: {check.summary} -> dbt test {check.test_name}"
            if check.covered_by:
                line += f" (already tested by {check.covered_by.split('.')[2]}; nothing to write)"
            say(escape(line))
            if check.proposed:
                say(f"      why: {escape(check.why)}")
    else:
        say(f"understood: a new model {intent.name} (template {intent.template})")
        for note in intent.notes:
            say(f"  note: {escape(note)}")
        if intent.grain:
            nullable = set(intent.slots.get("nullable") or ())
            not_null = [g for g in intent.grain if g not in nullable]
            tests = ("not_null on " + ", ".join(not_null) + " + " if not_null else "") + (
                "unique" if len(intent.grain) == 1 else "unique combination"
            )
            say(f"  grain: {', '.join(intent.grain)}; tests: {tests}")
        else:
            say("  grain: one row (a total); no key to test")
    if not outcome.files:
        say("files: nothing to write")
    for planned in outcome.files:
        action = "would write" if dry_run else "wrote"
        kind = "new" if planned.old is None else "updated"
        say(f"{action} ({kind} {planned.what}): {_rel(planned.path, root)}")
        if dry_run:
            say(_preview(planned), markup=False, highlight=False)
            if planned.what == "GX suite":
                say("")
    if dry_run:
        say("dry run: nothing written, dbt not run")
        return
    if not outcome.verified:
        say("not verified (--no-verify): run `dbt build` to check it")
        return
    if outcome.target:
        say(f"verified with dbt on {outcome.target}")
    if outcome.model_status:
        say(f"dbt build: model {intent.name} [green]{outcome.model_status}[/]")
    for check in outcome.checks:
        style = _STYLE.get(check.status, "")
        status = f"[{style}]{check.status.upper()}[/]" if style else check.status.upper()
        detail = ""
        if check.failed:
            rows = check.failures
            detail = f": {rows} failing row{'s' if rows != 1 else ''}"
            if check.check is not None and check.check.covered_by:
                detail += " (a test the project already had)"
            elif check.check is not None:
                detail += " (new test, kept)"
        if check.check is None and check.message and not detail:  # a custom test: judged, not run by dbt
            detail = f": {escape(check.message)}"
        say(f"  {status} {check.test_name}{detail}")
    failed = outcome.failed
    if failed:
        kept = any(c.check is not None and not c.check.covered_by for c in failed)
        say(
            f"{len(failed)} check(s) fail on the data"
            + (
                ": the new tests stay, they check what you asked for; fix the data, or remove the test"
                if kept
                else ""
            )
        )
    elif all(c.status == "pass" for c in outcome.checks):
        say(f"all {len(outcome.checks)} check(s) pass")
    else:
        say("not judged yet: `pef-gx build` judges it after every build from now on")


def _preview(planned) -> str:
    if planned.what == "GX suite":  # JSON: say what it adds rather than print the file
        import json

        before = {e.get("id") for e in json.loads(planned.old or "{}").get("expectations") or []}
        added = [e for e in json.loads(planned.new).get("expectations") or [] if e.get("id") not in before]
        return "\n".join(
            f"  + {e['type']} {json.dumps(e.get('kwargs'), sort_keys=True)[:150]}" for e in added
        )
    if planned.old is None:
        return planned.new
    import difflib

    return "".join(
        difflib.unified_diff(
            planned.old.splitlines(keepends=True),
            planned.new.splitlines(keepends=True),
            fromfile=f"a/{planned.path.name}",
            tofile=f"b/{planned.path.name}",
        )
    )
