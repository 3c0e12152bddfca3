"""The Jinja2 templates `ask` renders: the project's `generators/` folder first (installed there by
`pef-gx init`, edited or added to by the user), then the package's defaults.

A template the user adds is matched by the phrase its header declares, e.g.

    {#- pef-gx ask
    phrase: "row count of (?P<model>\\w+) per (?P<group_column>[\\w ]+)"
    grain: [group_column]
    description: Rows of a model per value of one of its columns.
    -#}

The phrase is a regular expression matched against the whole request (without "create a model for" and
the like). Its named groups are resolved against the project, never pasted as text: `model` names a model,
seed or source (the template gets `source_ref`, `model`), a group ending in `column` a column of it (the
template gets the column name), a group ending in `n` a whole number. `grain` lists the groups whose
columns identify a row (tested not null and unique)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pef_gx.generators.natural_language.project import (
    ModelIntent,
    NotUnderstood,
    ProjectIndex,
    Reading,
    _comment_safe,
    _ident,
    _pick,
    _unknown_column,
    _unknown_model,
    find_column,
    model_candidates,
)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "nl_templates"
USER_FOLDER = "generators"  # next to pef-gx.yml
SUFFIX = ".sql.j2"
_HEADER = re.compile(r"^\s*\{#-?\s*pef-gx ask\s*\n(?P<body>.*?)-?#\}", re.S)


@dataclass(frozen=True)
class TemplateFile:
    name: str  # file name without .sql.j2
    path: Path
    origin: str  # "project" | "package" | "project (overrides the package's)"
    phrase: str | None = None
    grain: tuple[str, ...] = ()
    description: str = ""


def _header(path: Path) -> dict[str, Any]:
    found = _HEADER.match(path.read_text(encoding="utf-8"))
    if not found:
        return {}
    try:
        data = yaml.safe_load(found["body"]) or {}
    except yaml.YAMLError as exc:
        raise NotUnderstood(f"the header of template {path} is not YAML: {exc}", "fix the template") from None
    if not isinstance(data, dict):
        raise NotUnderstood(f"the header of template {path} is not a mapping", "see pef-gx ask --help")
    return data


def list_templates(user_dir: Path | None) -> list[TemplateFile]:
    """Every template ask can render, the project's first (a project file overrides a default of the same name)."""
    defaults = {p.name[: -len(SUFFIX)]: p for p in sorted(DEFAULT_DIR.glob("*" + SUFFIX))}
    out: list[TemplateFile] = []
    seen: set[str] = set()
    for path in sorted(user_dir.glob("*" + SUFFIX)) if user_dir and user_dir.is_dir() else []:
        name = path.name[: -len(SUFFIX)]
        header = _header(path)
        origin = "project" if name not in defaults else "project (in place of the package's)"
        out.append(_file(name, path, origin, header))
        seen.add(name)
    for name, path in defaults.items():
        if name not in seen:
            out.append(_file(name, path, "package", _header(path)))
    return out


def _file(name: str, path: Path, origin: str, header: dict[str, Any]) -> TemplateFile:
    phrase = header.get("phrase")
    if phrase is not None:
        try:
            re.compile(str(phrase))
        except re.error as exc:
            raise NotUnderstood(
                f"the phrase of template {path} is not a valid regex: {exc}", "fix it"
            ) from None
    return TemplateFile(
        name=name,
        path=path,
        origin=origin,
        phrase=str(phrase) if phrase is not None else None,
        grain=tuple(str(g) for g in header.get("grain") or ()),
        description=str(header.get("description") or ""),
    )


def user_intent(
    index: ProjectIndex, request: str, body: str, templates: list[TemplateFile], name: str | None
) -> ModelIntent | None:
    """The intent of the first project template whose phrase matches the whole request; None if none does."""
    for template in templates:
        if not template.phrase or not template.origin.startswith("project"):
            continue
        match = re.fullmatch(template.phrase, body.strip(), flags=re.I)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        slots: dict[str, Any] = {"request": _comment_safe(request), "ident": _ident}
        reading = [Reading("template", template.name, match.group(0))]
        model = None
        if "model" in groups:
            candidates = model_candidates(index, groups["model"])
            if not candidates:
                raise _unknown_model(index, groups["model"])
            model = _pick(candidates, groups["model"])
            if not re.fullmatch(r"[A-Za-z0-9_]+", model.name.split(".")[-1]):
                raise NotUnderstood(f"cannot write ref() to {model.name!r}", "use another model")
            if model.resource_type == "source":
                src, table = model.name.split(".", 1)
                slots["source_ref"] = "{{ source('" + src + "', '" + table + "') }}"
            else:
                slots["source_ref"] = "{{ ref('" + model.name + "') }}"
            slots["model"] = model.name
            reading.append(Reading("model", model.name, groups["model"]))
        for key, words in groups.items():
            if key == "model":
                continue
            if key.endswith("column"):
                if model is None:
                    raise NotUnderstood(
                        f"template {template.name}: a column group needs a 'model' group", "fix it"
                    )
                column = find_column(model, words)
                if column is None:
                    raise _unknown_column(model, words)
                slots[key] = column
                reading.append(Reading("column", column, words))
            elif key.endswith("n"):
                if not re.fullmatch(r"\d+", words.strip()):
                    raise NotUnderstood(f"'{words}' is not a whole number", "e.g. 5")
                slots[key] = int(words)
            else:
                raise NotUnderstood(
                    f"template {template.name}: group '{key}' is neither model, *column nor *n",
                    "rename the group in its phrase",
                )
        if model is None:
            raise NotUnderstood(f"template {template.name}: its phrase has no 'model' group", "add one")
        grain = tuple(str(slots.get(g, g)) for g in template.grain)
        output = name or re.sub(r"_+", "_", re.sub(r"[^a-z0-9]+", "_", body.lower())).strip("_")[:60]
        slots["grain"] = list(grain)
        if len(grain) > 1:
            from pef_gx.generators.natural_language.models import composite_grain_test

            slots["unique_combination_test"] = composite_grain_test(index)
        return ModelIntent(
            request=request,
            template=template.name,
            name=output,
            source=model,
            slots=slots,
            grain=grain,
            columns=tuple((g, f"Grain: {g}.") for g in grain),
            description=f"Generated by `pef-gx ask` (template {template.name}) from the request: "
            f"{_comment_safe(request)}. Source: {model.name}.",
            notes=(f"template {template.name} from {template.path}",),
            reading=tuple(reading),
        )
    return None


def install_templates(root: Path, write: bool = True) -> list[tuple[Path, str]]:
    """Copy the package's templates into <root>/generators/ (a file already there is the user's: kept).
    Returns (path, action) with action "create" | "unchanged" | "kept (edited)"."""
    folder = root / USER_FOLDER
    out: list[tuple[Path, str]] = []
    for source in sorted(DEFAULT_DIR.glob("*" + SUFFIX)):
        target = folder / source.name
        text = source.read_text(encoding="utf-8")
        if target.exists():
            same = target.read_text(encoding="utf-8") == text
            out.append((target, "unchanged" if same else "kept (edited)"))
            continue
        if write:
            from pef_gx.writers.atomic import write_atomic

            write_atomic(target, text)
        out.append((target, "create"))
    return out
