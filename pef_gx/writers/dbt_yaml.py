"""dbt schema YAML for the checks dbt did not have, merged into the node's own properties file.

Round-trip (ruamel): comments, order, quotes, descriptions and hand-written tests stay as they are.
Entries pef-gx writes carry `config: {meta: {pef_gx: {owned: true, check_id: ...}}}` (a column entry it
had to add carries `meta: {pef_gx: {owned: true}}`); they are the only ones regeneration replaces or
removes. A node without a properties file gets one of pef-gx's own: `<folder>/_pef_gx.yml`.

`plan_yaml` only computes new file texts; the caller writes them (atomically) once everything is known.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pef_gx.artifacts.manifest import Node
from pef_gx.checks.spec import CheckSpec
from pef_gx.errors import ConfigError
from pef_gx.writers import yaml_splice
from pef_gx.writers.paths import inside

OWNED_FILE = "_pef_gx.yml"
_SECTIONS = {"model": "models", "seed": "seeds", "snapshot": "snapshots"}
_STYLES = ((2, 4, 2), (2, 2, 0), (2, 2, 2), (4, 4, 2), (4, 2, 0), (4, 6, 4))


@dataclass(frozen=True)
class OwnedTest:
    node: Node
    spec: CheckSpec
    test_name: str
    arguments: Mapping[str, Any]
    column_level: bool


def _yaml(style: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=style[0], sequence=style[1], offset=style[2])
    return yaml


def _dump(yaml: Any, doc: Any) -> str:
    buffer = io.StringIO()
    yaml.dump(doc, buffer)
    return buffer.getvalue()


def _load(path: Path, text: str) -> tuple[Any, Any]:
    """(document, yaml instance whose style reproduces the file exactly, when one does)."""
    from ruamel.yaml.error import YAMLError

    first = None
    for style in _STYLES:
        yaml = _yaml(style)
        try:
            doc = yaml.load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            problem = getattr(exc, "problem", None) or "syntax error"
            raise ConfigError(
                f"properties file {path} is not valid YAML{where}: {problem}",
                "fix the syntax; pef-gx left the file untouched",
            ) from None
        if first is None:
            first = (doc, yaml)
        if _dump(yaml, doc) == text:
            return doc, yaml
    assert first is not None
    return first


def _is_owned(value: Any) -> bool:
    if not isinstance(value, Mapping):
        return False
    own = value.get("pef_gx")
    return isinstance(own, Mapping) and bool(own.get("owned"))


def _owned_test(item: Any) -> bool:
    if not isinstance(item, Mapping) or len(item) != 1:
        return False
    body = next(iter(item.values()))
    return isinstance(body, Mapping) and _is_owned((body.get("config") or {}).get("meta"))


def _tests_key(entry: Mapping[str, Any]) -> str:
    return "tests" if "tests" in entry and "data_tests" not in entry else "data_tests"


# --- comments: a comment after the last item of a block belongs to what follows; keep it there --------


def _chain(node: Any) -> list[Any]:
    """node, its last item, that one's last item, ... (the containers a trailing comment can hang on)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    chain = []
    while isinstance(node, (CommentedMap, CommentedSeq)) and len(node):
        chain.append(node)
        node = node[list(node.keys())[-1]] if isinstance(node, CommentedMap) else node[len(node) - 1]
    return chain


def _take_trailing(node: Any) -> Any:
    """Detach the comment that follows `node`'s last line (a post-value comment, or ruamel's `end`
    comments after a flow value), to re-attach it after what gets appended."""
    from ruamel.yaml.comments import CommentedMap

    for container in reversed(_chain(node)):
        if container.ca.end:
            tokens = [t for t in container.ca.end if t is not None]
            container.ca.end = []
            if tokens:
                return _joined(tokens)
        key = list(container.keys())[-1] if isinstance(container, CommentedMap) else len(container) - 1
        pos = 2 if isinstance(container, CommentedMap) else 0
        entry = container.ca.items.get(key)
        if entry and len(entry) > pos and entry[pos] is not None:
            token = entry[pos]
            entry[pos] = None
            if not any(entry):
                del container.ca.items[key]
            return (token, pos)
    return None


def _joined(tokens: list[Any]) -> Any:
    """`end` comments (own lines) as one post-value comment (which starts by ending the value's line)."""
    token = tokens[0]
    token.value = "\n" + "".join(
        (" " * t.column + t.value) if t.value.startswith("#") else t.value for t in tokens
    )
    return (token, 0)


def _post_slot(node: Any) -> tuple[Any, Any, int] | None:
    """Where a comment that follows `node` goes: after its deepest last block value."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    def is_block(value: Any) -> bool:
        return (
            isinstance(value, (CommentedMap, CommentedSeq)) and len(value) > 0 and not value.fa.flow_style()
        )

    if isinstance(node, CommentedMap) and len(node):
        key = list(node.keys())[-1]
        return _post_slot(node[key]) if is_block(node[key]) else (node, key, 2)
    if isinstance(node, CommentedSeq) and len(node):
        index = len(node) - 1
        return _post_slot(node[index]) if is_block(node[index]) else (node, index, 0)
    return None


def _give_trailing(node: Any, taken: Any) -> None:
    if not taken:
        return
    token, _ = taken
    slot = _post_slot(node)
    if not slot:
        return
    container, key, pos = slot
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= pos:
        entry.append(None)
    entry[pos] = token


def _append(container: Any, value: Any, key: Any = None) -> None:
    """Append to a seq (key None) or map, moving a trailing comment past the new item."""
    taken = _take_trailing(container)
    if key is None:
        container.append(value)
    else:
        container[key] = value
    _give_trailing(container, taken)


def _delete(container: Any, key: Any, carry: Any = None) -> Any:
    """Delete an item; a trailing comment it carried (or `carry`) goes to the item before it.

    Returns the comment when nothing is left to carry it (the caller passes it up a level)."""
    from ruamel.yaml.comments import CommentedSeq

    is_last = (
        (key == len(container) - 1) if isinstance(container, CommentedSeq) else key == list(container)[-1]
    )
    taken = _take_trailing(container) if is_last else None
    container.ca.items.pop(key, None)
    del container[key]
    if isinstance(container, CommentedSeq):  # comments of later items shift down by one
        shifted = {(k - 1 if isinstance(k, int) and k > key else k): v for k, v in container.ca.items.items()}
        container.ca.items.clear()
        container.ca.items.update(shifted)
    if not len(container) and container.ca.end:
        tokens = [t for t in container.ca.end if t is not None]
        container.ca.end = []
        taken = taken or (_joined(tokens) if tokens else None)
    token = taken or carry
    if token and len(container):
        _give_trailing(container, token)
        return None
    return token


# --- entries -----------------------------------------------------------------------------------------


def _strip_owned(entry: Any) -> None:
    """Remove pef-gx's own tests (and the column entries it added) from one node entry."""
    for holder in [entry, *[c for c in entry.get("columns") or [] if isinstance(c, Mapping)]]:
        for key in ("data_tests", "tests"):
            tests = holder.get(key)
            if not isinstance(tests, list):
                continue
            owned = [i for i, item in enumerate(tests) if _owned_test(item)]
            leftover = None
            for index in reversed(owned):
                leftover = _delete(tests, index, leftover)
            if owned and not tests:
                _delete(holder, key, leftover)
    columns = entry.get("columns")
    if isinstance(columns, list):
        for index in reversed(range(len(columns))):
            column = columns[index]
            if (
                isinstance(column, Mapping)
                and _is_owned(column.get("meta"))
                and set(column) <= {"name", "meta"}
            ):
                _delete(columns, index)


def _test_item(test: OwnedTest, dbt_version: str) -> Any:
    from ruamel.yaml.comments import CommentedMap

    marker = CommentedMap(
        [("owned", True), ("check_id", test.spec.check_id), ("origin", test.spec.origin.type.value)]
    )
    config = CommentedMap([("meta", CommentedMap([("pef_gx", marker)]))])
    config.fa.set_flow_style()
    if test.spec.severity.value == "warn":
        config.insert(0, "severity", "warn")
    body = CommentedMap()
    arguments = CommentedMap((k, _plain(v)) for k, v in test.arguments.items())
    if arguments:
        if _uses_arguments(dbt_version):
            body["arguments"] = arguments
        else:
            body.update(arguments)
    body["config"] = config
    return CommentedMap([(test.test_name, body)])


def _plain(value: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    if isinstance(value, (list, tuple)):
        seq = CommentedSeq(_plain(v) for v in value)
        seq.fa.set_flow_style()
        return seq
    return value


def _uses_arguments(dbt_version: str) -> bool:
    try:
        major, minor = (int(p) for p in dbt_version.split(".")[:2])
    except ValueError:
        return True
    return (major, minor) >= (1, 10)


def _find(seq: Any, name: str) -> Any:
    for item in seq or []:
        if isinstance(item, Mapping) and str(item.get("name")) == name:
            return item
    return None


def _node_entry(doc: Any, node: Node, create: bool) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if node.resource_type == "source":
        source = _find(doc.get("sources"), str(node.source_name))
        if source is None:
            return None
        tables = source.get("tables")
        entry = _find(tables, node.name)
        if entry is None and create:
            entry = CommentedMap([("name", node.name)])
            _append(tables, entry)
        return entry
    section = _SECTIONS[node.resource_type]
    seq = doc.get(section)
    entry = _find(seq, node.name)
    if entry is None and create:
        if seq is None:
            seq = CommentedSeq()
            _append(doc, seq, section)
        entry = CommentedMap([("name", node.name)])
        _append(seq, entry)
    return entry


def _add(entry: Any, test: OwnedTest, dbt_version: str) -> None:
    """Add one test to a node entry. Containers are filled before they are attached, so a comment that
    followed the entry's last line moves below the new lines (where it was relative to what follows)."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    item = _test_item(test, dbt_version)
    if not test.column_level:
        _add_to(entry, item)
        return
    column_name = test.spec.columns[0]
    columns = entry.get("columns")
    holder = _find(columns, column_name) if columns is not None else None
    if holder is not None:
        _add_to(holder, item)
        return
    owned = CommentedMap([("pef_gx", CommentedMap([("owned", True)]))])
    holder = CommentedMap([("name", column_name), ("meta", owned), ("data_tests", CommentedSeq([item]))])
    if columns is None:
        _append(entry, CommentedSeq([holder]), "columns")
    else:
        _append(columns, holder)


def _add_to(holder: Any, item: Any) -> None:
    from ruamel.yaml.comments import CommentedSeq

    key = _tests_key(holder)
    tests = holder.get(key)
    if tests is None:
        _append(holder, CommentedSeq([item]), key)
    else:
        _append(tests, item)


def _file_for(node: Node, project_dir: Path, checked: set[Path] | None = None) -> Path:
    """The node's properties file; it must stay inside the dbt project (manifest paths are untrusted).
    `checked` holds the paths already checked (thousands of nodes share a few files)."""
    existing = node.properties_file
    path = (
        project_dir / existing
        if existing
        else project_dir / Path(node.original_file_path).parent / OWNED_FILE
    )
    if checked is None or path not in checked:
        inside(path, project_dir, f"the properties file of {node.unique_id}")
        if checked is not None:
            checked.add(path)
    return path


def plan_yaml(
    project_dir: Path,
    nodes: Iterable[Node],
    tests: Sequence[OwnedTest],
    dbt_version: str,
    skipped: list[tuple[OwnedTest, str]] | None = None,
) -> dict[Path, str | None]:
    """New text per properties file that changes (None: delete a now-empty file of pef-gx's own).

    Hand-written files are edited by splicing (yaml_splice: every byte outside pef-gx's entries kept);
    tests that cannot be inserted safely are left out and listed in `skipped` with why. pef-gx's own
    `_pef_gx.yml` files are written whole (ruamel round-trip)."""
    from ruamel.yaml.comments import CommentedMap

    scope = list(nodes)
    files: dict[Path, list[Node]] = {}
    checked: set[Path] = set()
    for node in scope:
        files.setdefault(_file_for(node, project_dir, checked), []).append(node)
    by_file: dict[Path, list[OwnedTest]] = {}
    for test in sorted(
        tests,
        key=lambda t: (t.node.unique_id, t.column_level, list(t.spec.columns), t.test_name, t.spec.check_id),
    ):
        by_file.setdefault(_file_for(test.node, project_dir, checked), []).append(test)

    changes: dict[Path, str | None] = {}
    for path in sorted(files):
        if path.name != OWNED_FILE and path.exists():
            new = _splice_file(path, files[path], by_file.get(path, []), dbt_version, skipped)
            if new is not None:
                changes[path] = new
            continue
        if path.exists():
            text = _read(path)
            if not by_file.get(path) and "pef_gx" not in text:
                continue  # nothing of pef-gx's in it and nothing to add: no need to parse it
            doc, yaml = _load(path, text)
            if doc is None:
                doc = CommentedMap([("version", 2)])
        else:
            if not by_file.get(path):
                continue
            text, yaml = None, _yaml(_STYLES[0])
            doc = CommentedMap([("version", 2)])
        if not isinstance(doc, Mapping):
            raise ConfigError(
                f"properties file {path} is not a mapping", "fix the file; it was left untouched"
            )
        for node in files[path]:
            entry = _node_entry(doc, node, create=False)
            if entry is not None:
                _strip_owned(entry)
        for test in by_file.get(path, []):
            entry = _node_entry(doc, test.node, create=True)
            if entry is None:
                continue
            _add(entry, test, dbt_version)
        new = _dump(yaml, doc)
        if path.name == OWNED_FILE and not _has_tests(doc):
            if text is not None:
                changes[path] = None
            continue
        if new != text:
            changes[path] = new
    return changes


def _read(path: Path) -> str:
    """The file's exact text: no newline translation (a CRLF file stays CRLF), a BOM kept."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read properties file {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"properties file {path} is not UTF-8", "save it as UTF-8") from None


def _splice_file(
    path: Path,
    nodes: Sequence[Node],
    tests: Sequence[OwnedTest],
    dbt_version: str,
    skipped: list[tuple[OwnedTest, str]] | None,
) -> str | None:
    """A hand-written properties file: pef-gx's entries spliced in, every other byte kept (yaml_splice)."""
    import yaml as pyyaml

    text = _read(path)
    if not tests and "pef_gx" not in text:
        return None
    items = [_test_item(t, dbt_version) for t in tests]
    by_item = {id(item): test for item, test in zip(items, tests, strict=True)}
    additions = [
        (_key(t.node), t.spec.columns[0] if t.column_level else None, item)
        for t, item in zip(tests, items, strict=True)
    ]
    try:
        new, refused = yaml_splice.splice(text, [_key(n) for n in nodes], additions, _render)
    except pyyaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ConfigError(
            f"properties file {path} is not valid YAML{where}: {problem}",
            "fix the syntax; pef-gx left the file untouched",
        ) from None
    except (yaml_splice.Unsafe, RecursionError) as exc:
        raise ConfigError(
            f"properties file {path}: pef-gx cannot edit it safely ({exc})",
            "move pef-gx's entries (meta pef_gx.owned) to plain lists; the file was left untouched",
        ) from None
    if skipped is not None:
        skipped.extend((by_item[id(item)], why) for item, why in refused)
    return new if new != text else None


def _key(node: Node) -> tuple[str, str, str | None]:
    return (node.resource_type, node.name, node.source_name)


def _render(value: Any, column: int) -> str:
    """Block YAML of `value` (a list of entries, or {key: list}) whose first line starts at `column`,
    in pef-gx's layout (the one the sample project uses)."""
    text = _dump(_yaml(_STYLES[0]), value)
    lines = text.splitlines(keepends=True)
    shift = column - (len(lines[0]) - len(lines[0].lstrip(" ")))
    if shift >= 0:
        return "".join(" " * shift + line for line in lines)
    return "".join(line[-shift:] if line[:-shift].strip() == "" else line for line in lines)


def _has_tests(doc: Any) -> bool:
    for section in _SECTIONS.values():
        for entry in doc.get(section) or []:
            if entry.get("data_tests") or entry.get("tests"):
                return True
            for column in entry.get("columns") or []:
                if column.get("data_tests") or column.get("tests"):
                    return True
    return False
