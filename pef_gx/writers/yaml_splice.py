"""pef-gx's entries spliced into a hand-written properties file: every other byte stays as it was.

The file is parsed only to LOCATE things (PyYAML's composer: the parser dbt itself uses, so whatever dbt
accepts is accepted here, duplicate keys and tabs before comments included; every node carries its exact
position). Edits are then made on the original text: pef-gx's own entries (marked `pef_gx: {owned: true}`)
are cut out, new ones are inserted after the last line of their list, in the file's own line ending.
CRLF, indentation, spacing, flow sequences, document markers, a BOM, escapes, long lines and comments are
untouched by construction.

Where an insertion cannot be made safely, the test is skipped and the reason returned: a list that is an
anchor used elsewhere (`&tests` ... `*tests`: an entry would leak into every alias), an entry reached
through an alias or a merge key (`<<:`), or a layout this module does not edit (an owned entry sharing a
line with a hand-written one).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

_Node = Any  # yaml.Node
_SECTIONS = {"model": "models", "seed": "seeds", "snapshot": "snapshots"}


class Unsafe(Exception):
    """This edit cannot be made without touching hand-written meaning: skip it, say why."""


def compose(text: str) -> _Node:
    """The node graph, with dbt's own loader (libyaml when present: it accepts a tab before a comment)."""
    import yaml

    return yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _scalar(node: _Node) -> str | None:
    import yaml

    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _is_map(node: _Node) -> bool:
    import yaml

    return isinstance(node, yaml.MappingNode)


def _is_seq(node: _Node) -> bool:
    import yaml

    return isinstance(node, yaml.SequenceNode)


def _get(mapping: _Node, key: str) -> tuple[_Node, _Node] | None:
    """The LAST (key, value) pair named `key`: with duplicate keys, the one dbt keeps."""
    if not _is_map(mapping):
        return None
    found = None
    for k, v in mapping.value:
        if _scalar(k) == key:
            found = (k, v)
    return found


def _value(mapping: _Node, key: str) -> _Node | None:
    pair = _get(mapping, key)
    return pair[1] if pair else None


def _find(seq: _Node | None, name: str) -> _Node | None:
    if seq is None or not _is_seq(seq):
        return None
    found = None
    for item in seq.value:
        name_node = _value(item, "name") if _is_map(item) else None
        if name_node is not None and _scalar(name_node) == name:
            found = item
    return found


class Document:
    """One properties file: its text, its node graph, and the edits to apply."""

    def __init__(self, text: str) -> None:
        self.bom = text.startswith("\ufeff")  # positions are counted without it; it is put back
        self.text = text[1:] if self.bom else text
        self.root = compose(self.text)
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.edits: list[tuple[int, int, str]] = []  # (start, end, replacement) on the original text
        self.removed_keys: set[int] = set()  # values of keys cut out whole (every item was pef-gx's)
        self.removed_items: set[int] = set()
        self._seen: dict[int, int] = {}
        if self.root is not None:
            self._count(self.root)

    def _count(self, node: _Node) -> None:
        """How often each node is reached: more than once means an alias points at it."""
        key = id(node)
        self._seen[key] = self._seen.get(key, 0) + 1
        if self._seen[key] > 1:
            return
        if _is_map(node):
            for k, v in node.value:
                self._count(k)
                self._count(v)
        elif _is_seq(node):
            for item in node.value:
                self._count(item)

    def shared(self, node: _Node) -> bool:
        return self._seen.get(id(node), 0) > 1

    # --- locating -------------------------------------------------------------------------------------

    def entry(self, resource_type: str, name: str, source_name: str | None) -> _Node | None:
        if self.root is None or not _is_map(self.root):
            return None
        if resource_type == "source":
            source = _find(_value(self.root, "sources"), str(source_name))
            return _find(_value(source, "tables"), name) if source is not None else None
        return _find(_value(self.root, _SECTIONS[resource_type]), name)

    # --- positions ------------------------------------------------------------------------------------

    def _line_start(self, index: int) -> int:
        return self.text.rfind("\n", 0, index) + 1

    def _content_end(self, node: _Node) -> int:
        """Index just after the node's last character that is not white space (nor a comment: a block
        collection ends where its last value ends, before any comment lines that follow)."""
        if _is_map(node) and not node.flow_style and node.value:
            return self._content_end(node.value[-1][1])
        if _is_seq(node) and not node.flow_style and node.value:
            return self._content_end(node.value[-1])
        end = node.end_mark.index
        while end > node.start_mark.index and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _line_end(self, index: int) -> int:
        """Index after the line break of the line holding `index` (the text's end when it has none)."""
        found = self.text.find("\n", index)
        return len(self.text) if found < 0 else found + 1

    def _dash_column(self, item: _Node) -> int:
        """Column of the `- ` that starts a block sequence item (Unsafe when the layout is unusual)."""
        start = item.start_mark.index
        before = self.text[self._line_start(start) : start]
        stripped = before.rstrip(" ")
        if not stripped.endswith("-") or stripped[:-1].strip(" "):
            raise Unsafe("a list item that does not start its own line")
        return len(stripped) - 1

    def _block_span(self, item: _Node) -> tuple[int, int]:
        """The whole lines of a block sequence item, from its dash to its last line's line break."""
        self._dash_column(item)
        end = self._content_end(item)
        rest = self.text[end : self._line_end(end)].strip()
        if rest and not rest.startswith("#"):
            raise Unsafe("an entry of pef-gx's shares its last line with something else")
        start, stop = self._line_start(item.start_mark.index), self._line_end(end)
        if stop == len(self.text) and not self.text.endswith("\n") and start > 0:
            start -= 2 if self.text[start - 2 : start] == "\r\n" else 1  # the break before it was ours
        return start, stop

    # --- removing pef-gx's own entries ---------------------------------------------------------------

    def remove_owned(self, entry: _Node) -> None:
        columns = _value(entry, "columns")
        holders = [entry, *(c for c in (columns.value if columns is not None and _is_seq(columns) else []))]
        whole_columns = []
        for holder in holders:
            if not _is_map(holder):
                continue
            if holder is not entry and _owned_column(holder):
                whole_columns.append(holder)
                continue
            for key in ("data_tests", "tests"):
                pair = _get(holder, key)
                if pair is None or not _is_seq(pair[1]) or self.shared(pair[1]):
                    continue
                self._remove_items(holder, pair)
        if whole_columns:
            assert columns is not None
            if len(whole_columns) == len(columns.value) and not columns.flow_style:
                self._remove_key(entry, _get(entry, "columns"))
            else:
                for column in whole_columns:
                    self._remove_item(columns, column)

    def _remove_items(self, holder: _Node, pair: tuple[_Node, _Node]) -> None:
        seq = pair[1]
        owned = [item for item in seq.value if _owned_test(item)]
        if not owned:
            return
        if len(owned) == len(seq.value) and holder.flow_style:  # pef-gx added `, data_tests: [...]`
            self._remove_flow_key(holder, pair)
            return
        if len(owned) == len(seq.value) and not seq.flow_style:
            self._remove_key(holder, pair)
            return
        for item in owned:
            self._remove_item(seq, item)

    def _remove_item(self, seq: _Node, item: _Node) -> None:
        self.removed_items.add(id(item))
        if not seq.flow_style:
            start, end = self._block_span(item)
            self.edits.append((start, end, ""))
            return
        index = seq.value.index(item)
        if index > 0:  # from the end of the item before (its comma goes too)
            start = seq.value[index - 1].end_mark.index
            self.edits.append((start, item.end_mark.index, ""))
        elif len(seq.value) > 1:
            self.edits.append((item.start_mark.index, seq.value[1].start_mark.index, ""))
        else:
            self.edits.append((item.start_mark.index, item.end_mark.index, ""))

    def _remove_flow_key(self, holder: _Node, pair: tuple[_Node, _Node]) -> None:
        self.removed_keys.add(id(pair[1]))
        index = holder.value.index(pair)
        if index > 0:
            self.edits.append((holder.value[index - 1][1].end_mark.index, pair[1].end_mark.index, ""))
        elif len(holder.value) > 1:
            self.edits.append((pair[0].start_mark.index, holder.value[1][0].start_mark.index, ""))
        else:
            self.edits.append((pair[0].start_mark.index, pair[1].end_mark.index, ""))

    def _remove_key(self, holder: _Node, pair: tuple[_Node, _Node] | None) -> None:
        """A key pef-gx added (all its items are pef-gx's), with its lines."""
        assert pair is not None
        key, value = pair
        self.removed_keys.add(id(value))
        start = self._line_start(key.start_mark.index)
        if self.text[start : key.start_mark.index].strip(" ") not in ("", "-"):
            raise Unsafe("a key of pef-gx's shares its line with something else")
        if self.text[start : key.start_mark.index].strip(" ") == "-":
            raise Unsafe("a column entry of pef-gx's starts with the key to remove")
        end = self._content_end(value)
        self.edits.append((start, self._line_end(end), ""))

    # --- inserting ------------------------------------------------------------------------------------

    def add(
        self, entry: _Node, column: str | None, items: list[Any], render: Callable[[Any, int], str]
    ) -> None:
        """Add test `items` to the entry (or to its column `column`, created when missing)."""
        if self.shared(entry) or _get(entry, "<<"):
            raise Unsafe("the node's entry comes from a YAML anchor or merge key")
        holder = entry
        if column is not None:
            holder = self.column(entry, column)
            if holder is None:
                raise Unsafe(f"column '{column}' has no entry")  # callers add missing columns first
            if self.shared(holder) or _get(holder, "<<"):
                raise Unsafe(f"column '{column}' comes from a YAML anchor or merge key")
        keys = [_scalar(k) for k, _ in holder.value]
        key = "tests" if "tests" in keys and "data_tests" not in keys else "data_tests"
        pair = self._live(holder, key)
        if pair is None:
            self._add_key(holder, key, items, render)
            return
        tests = pair[1]
        if self.shared(tests) or not _is_seq(tests):
            raise Unsafe(
                f"its `{key}` list is a YAML anchor used elsewhere (or an alias): an entry added there "
                "would apply to every place that uses it"
            )
        self._append(tests, items, render)

    def column(self, entry: _Node, name: str) -> _Node | None:
        """The column's hand-written entry (None when missing or pef-gx's own, which is written anew)."""
        pair = self._live(entry, "columns")
        holder = _find(pair[1], name) if pair else None
        return None if holder is None or _owned_column(holder) else holder

    def add_columns(
        self, entry: _Node, columns: dict[str, list[Any]], render: Callable[[Any, int], str]
    ) -> None:
        """New column entries (pef-gx's own) carrying `columns[name]` tests each."""
        if self.shared(entry) or _get(entry, "<<"):
            raise Unsafe("the node's entry comes from a YAML anchor or merge key")
        new = [{"name": n, "meta": {"pef_gx": {"owned": True}}, "data_tests": t} for n, t in columns.items()]
        pair = self._live(entry, "columns")
        if pair is None:
            self._add_key(entry, "columns", new, render)
        elif not _is_seq(pair[1]) or self.shared(pair[1]):
            raise Unsafe("`columns` is not a plain list")
        else:
            self._append(pair[1], new, render)

    def _live(self, holder: _Node, key: str) -> tuple[_Node, _Node] | None:
        pair = _get(holder, key)
        return None if pair is None or id(pair[1]) in self.removed_keys else pair

    def _append(self, seq: _Node, values: list[Any], render: Callable[[Any, int], str]) -> None:
        if seq.flow_style:  # right after the last item (or the `[`): the spacing before `]` stays
            text = ", ".join(json.dumps(_plain(v), ensure_ascii=False) for v in values)
            kept = [v for v in seq.value if id(v) not in self.removed_items]
            if kept:
                self._insert(kept[-1].end_mark.index, ", " + text)
            else:
                self._insert(seq.start_mark.index + 1, text)
            return
        if not seq.value:
            raise Unsafe("an empty block list")
        last = seq.value[-1]
        dash = self._dash_column(last)
        self._insert_lines(self._line_end(self._content_end(last)), render(values, dash))

    def _add_key(self, holder: _Node, key: str, value: Any, render: Callable[[Any, int], str]) -> None:
        if holder.flow_style:  # right after the last value (or the `{`)
            text = f"{key}: {json.dumps(_plain(value), ensure_ascii=False)}"
            if holder.value:
                self._insert(holder.value[-1][1].end_mark.index, ", " + text)
            else:
                self._insert(holder.start_mark.index + 1, text)
            return
        if not holder.value:
            raise Unsafe("an empty block mapping")
        column = holder.value[0][0].start_mark.column
        self._insert_lines(self._line_end(self._content_end(holder)), render({key: value}, column))

    def _insert_lines(self, at: int, block: str) -> None:
        block = block.replace("\n", self.newline)
        if at == len(self.text) and self.text and not self.text.endswith("\n"):
            block = self.newline + block[: -len(self.newline)]  # the file still ends without one
        self._insert(at, block)

    def _insert(self, at: int, text: str) -> None:
        self.edits.append((at, at, text))

    # --- result ---------------------------------------------------------------------------------------

    def result(self) -> str:
        """The text with every edit applied, from the end backwards: at one position, a cut goes first,
        then the insertions, so they land in the order they were made."""
        cuts = sorted((e for e in self.edits if e[1] > e[0]), key=lambda e: e[0])
        for first, second in itertools.pairwise(cuts):
            if second[0] < first[1]:
                raise Unsafe("two edits overlap")
        order = sorted(enumerate(self.edits), key=lambda p: (p[1][0], p[1][1] > p[1][0], p[0]), reverse=True)
        out = self.text
        for _, (start, end, new) in order:
            out = out[:start] + new + out[end:]
        return ("\ufeff" if self.bom else "") + out


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _owned_map(node: _Node | None) -> bool:
    own = _value(node, "pef_gx") if node is not None and _is_map(node) else None
    flag = _value(own, "owned") if own is not None else None
    return flag is not None and str(_scalar(flag)).lower() == "true"


def _owned_test(item: _Node) -> bool:
    if not _is_map(item) or len(item.value) != 1:
        return False
    body = item.value[0][1]
    config = _value(body, "config") if _is_map(body) else None
    return config is not None and _owned_map(_value(config, "meta"))


def _owned_column(column: _Node) -> bool:
    keys = {_scalar(k) for k, _ in column.value}
    if not _owned_map(_value(column, "meta")) or not keys <= {"name", "meta", "data_tests", "tests"}:
        return False
    tests = [v for k, v in column.value if _scalar(k) in ("data_tests", "tests")]
    return all(_is_seq(t) and all(_owned_test(i) for i in t.value) for t in tests)


def splice(
    text: str,
    scope: Iterable[tuple[str, str, str | None]],
    additions: Sequence[tuple[tuple[str, str, str | None], str | None, Any]],
    render: Callable[[Any, int], str],
) -> tuple[str, list[tuple[Any, str]]]:
    """New text of a hand-written properties file, and the additions skipped with why.

    `scope`: (resource_type, name, source_name) of the nodes whose owned entries are replaced;
    `additions`: (node key, column or None, test item); `render(value, column)` writes block YAML whose
    first line starts at `column`."""
    doc = Document(text)
    for key in scope:
        entry = doc.entry(*key)
        if entry is not None and not doc.shared(entry):
            doc.remove_owned(entry)
    by_entry: dict[Any, dict[str | None, list[Any]]] = {}
    for key, column, item in additions:
        by_entry.setdefault(key, {}).setdefault(column, []).append(item)
    skipped: list[tuple[Any, str]] = []

    def attempt(items: list[Any], edit: Callable[[], None]) -> None:
        before = len(doc.edits)
        try:
            edit()
        except Unsafe as exc:
            del doc.edits[before:]
            skipped.extend((item, f"cannot insert safely: {exc}") for item in items)

    for key, groups in by_entry.items():
        entry = doc.entry(*key)
        if entry is None:
            skipped += [
                (item, "its entry is not in the properties file")
                for items in groups.values()
                for item in items
            ]
            continue
        # columns first (existing, then new ones), the entry's own tests last: an entry-level key added at
        # the entry's end must come after column entries added at the same place
        missing: dict[str, list[Any]] = {}
        for column, items in groups.items():
            if column is None:
                continue
            if doc.column(entry, column) is None:
                missing[column] = items
            else:
                attempt(items, lambda e=entry, c=column, i=items: doc.add(e, c, i, render))
        if missing:
            flat = [item for items in missing.values() for item in items]
            attempt(flat, lambda e=entry, m=missing: doc.add_columns(e, m, render))
        if None in groups:
            attempt(groups[None], lambda e=entry, i=groups[None]: doc.add(e, None, i, render))
    return doc.result(), skipped


def insert_meta(
    text: str, resource_type: str, name: str, key: str, value: Any, source_name: str | None = None
) -> str:
    """`text` with `key: value` declared in the node's `config: {meta: {pef_gx: ...}}`: one line (the value
    in YAML flow style, or the missing `config:` / `meta:` / `pef_gx:` levels) inserted, every other byte
    as it was.

    Unsafe when the node has no entry, when the key is already declared (a hand-written declaration is
    edited by hand), or when a level on the way is in flow style or comes from an anchor.
    """
    import yaml

    rendered = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=2**31).strip()
    doc = Document(text)
    entry = doc.entry(resource_type, name, source_name)
    if entry is None or not _is_map(entry):
        raise Unsafe(f"{name} has no entry in this file")
    for meta in (_value(entry, "meta"), _value(_value(entry, "config") or entry, "meta")):
        own = _value(meta, "pef_gx") if meta is not None and _is_map(meta) else None
        if own is not None and _is_map(own) and _get(own, key):
            raise Unsafe(f"{name} already declares pef_gx.{key}")
    levels = ["config", "meta", "pef_gx"]
    holder = entry
    while levels and _is_map(holder) and _get(holder, levels[0]) is not None:
        child = _value(holder, levels[0])
        if child is None or not _is_map(child) or child.flow_style or doc.shared(child) or not child.value:
            raise Unsafe(f"its `{levels[0]}:` is not a block mapping pef-gx can add a line to")
        holder, levels = child, levels[1:]
    if holder.flow_style or doc.shared(holder) or _get(holder, "<<"):
        raise Unsafe("the node's entry is in flow style or comes from a YAML anchor")
    indent = holder.value[0][0].start_mark.column
    step = max(2, indent - _indent_of(doc, holder)) if holder is not entry else 2
    lines = []
    for depth, level in enumerate([*levels, key]):
        value = f" {rendered}" if level == key else ""
        lines.append(" " * (indent + depth * step) + f"{level}:{value}")
    at = doc._line_end(doc._content_end(holder))
    before = doc.text[:at]
    if before and not before.endswith("\n"):
        before += doc.newline
    out = before + doc.newline.join(lines) + doc.newline + doc.text[at:]
    return ("\ufeff" if doc.bom else "") + out


def _indent_of(doc: Document, node: _Node) -> int:
    """Column of the key that holds `node` (the line it starts after)."""
    line_start = doc.text.rfind("\n", 0, node.start_mark.index) + 1
    previous = doc.text.rfind("\n", 0, line_start - 1) + 1
    row = doc.text[previous:line_start]
    return len(row) - len(row.lstrip(" "))
