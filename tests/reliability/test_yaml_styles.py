"""Issue 10, item 5: hand-written properties YAML keeps every byte outside pef-gx's entries, in every style
dbt accepts. On main (ruamel round-trip of the whole file) each of these styles was rewritten: CRLF to LF,
indentation, spacing, flow lists, markers, BOM, escapes, long lines, comments duplicated, an entry appended
into an anchored list (leaking into every alias), unused anchors dropped, tabs and duplicate keys refused."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
import yaml

from pef_gx.artifacts.manifest import Node
from pef_gx.checks.spec import CheckSpec
from pef_gx.writers.dbt_yaml import OwnedTest, plan_yaml


def _node(name: str = "orders") -> Node:
    return Node(
        unique_id=f"model.shop.{name}", resource_type="model", name=name, package_name="shop",
        identifier=name, database=None, schema=None, relation_name=None, columns={}, meta={}, tags=(),
        original_file_path=f"models/{name}.sql", patch_path="shop://models/_models.yml",
    )  # fmt: skip


def _test(column: str | None, kind: str = "not_null", node: Node | None = None) -> OwnedTest:
    node = node or _node()
    spec = CheckSpec(node_id=node.unique_id, kind=kind, columns=(column,) if column else ())
    return OwnedTest(node, spec, kind, {}, column is not None)


def _plan(tmp_path: Path, data: bytes, tests: list[OwnedTest]) -> tuple[str | None, list]:
    (tmp_path / "models").mkdir(exist_ok=True)
    path = tmp_path / "models" / "_models.yml"
    path.write_bytes(data)
    skipped: list = []
    changes = plan_yaml(tmp_path, [t.node for t in tests] or [_node()], tests, "1.11.0", skipped)
    return changes.get(path), skipped


def _only_insertions(old: str, new: str) -> list[str]:
    """The lines `new` adds to `old`; fails when any line of `old` changed or went."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    added: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        assert op == "insert", f"{op} of {a[i1:i2]!r} -> {b[j1:j2]!r}"
        added += b[j1:j2]
    return added


def _column_tests(text: str, column: str) -> list:
    doc = yaml.load(text.lstrip("\ufeff"), Loader=yaml.CSafeLoader)  # dbt's loader
    entry = next(m for m in doc["models"] if m["name"] == "orders")
    col = next(c for c in entry["columns"] if c["name"] == column)
    return col.get("data_tests") or col.get("tests") or []


LONG = "x" * 5000
STYLES: dict[str, str] = {
    "crlf": "version: 2\r\nmodels:\r\n  - name: orders\r\n    columns:\r\n      - name: id\r\n        data_tests:\r\n          - unique\r\n",
    "three-space indent": "version: 2\nmodels:\n   -  name: orders\n      columns:\n         -  name: id\n            data_tests:\n               -  unique\n",
    "trailing spaces": "version: 2   \nmodels:  \n  - name: orders  \n    columns:\n      - name: id   \n        data_tests:\n          - unique   \n",
    "wide key spacing": "version:    2\nmodels:\n  - name:      orders\n    columns:\n      - name:    id\n        data_tests:\n          - unique\n",
    "flow sequence": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [ unique ,   relationships_x ]\n",
    "document markers": "---\nversion: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - unique\n...\n",
    "bom": "\ufeffversion: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - unique\n",
    "escapes": 'version: 2\nmodels:\n  - name: orders\n    description: "caf\\u00e9 \\t tab"\n    columns:\n      - name: id\n        data_tests:\n          - unique\n',
    "long line": f"version: 2\nmodels:\n  - name: orders\n    description: {LONG}\n    columns:\n      - name: id\n        data_tests:\n          - unique\n",
    "end-of-line comments": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - unique # keep me here\n        # and the comment after\n      - name: other\n",
    "unused anchor": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: &never_used\n          - unique\n",
    "tab before comment": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\t# a tab first\n        data_tests:\n          - unique\n",
    "duplicate keys": "version: 2\nmodels:\n  - name: orders\n    description: first\n    description: second\n    columns:\n      - name: id\n        data_tests:\n          - unique\n",
    "no final newline": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests:\n          - unique",
    "flow mapping column": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - {name: id,  description: the key}\n",
    "legacy tests key": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        tests:\n          - unique\n",
    "column without tests": "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        description: the key   # why\n",
}  # fmt: skip


@pytest.mark.parametrize("style", sorted(STYLES))
def test_hand_written_bytes_survive(tmp_path: Path, style: str) -> None:
    original = STYLES[style]
    new, skipped = _plan(tmp_path, original.encode(), [_test("id")])
    assert not skipped, skipped
    assert new is not None
    ops = difflib.SequenceMatcher(None, original, new, autojunk=False).get_opcodes()
    assert all(op in ("equal", "insert") for op, *_ in ops), [o for o in ops if o[0] != "equal"]
    added = "".join(new[j1:j2] for op, _, _, j1, j2 in ops if op == "insert")
    assert "pef_gx" in added and "keep me" not in added and "comment" not in added, added
    if "\r\n" in original:
        assert "\n" not in new.replace("\r\n", "")
    assert new.startswith("\ufeff") == original.startswith("\ufeff")
    names = [next(iter(t)) if isinstance(t, dict) else t for t in _column_tests(new, "id")]
    assert "not_null" in names
    # a second run changes nothing
    (tmp_path / "models" / "_models.yml").write_bytes(new.encode())
    again = plan_yaml(tmp_path, [_node()], [_test("id")], "1.11.0")
    assert again == {}, again
    # and taking pef-gx's entry away gives the hand-written file back, byte for byte
    back = plan_yaml(tmp_path, [_node()], [], "1.11.0")
    assert back[tmp_path / "models" / "_models.yml"] == original


def test_entry_for_a_model_without_columns_key(tmp_path: Path) -> None:
    original = "version: 2\nmodels:\n  - name: orders\n    description: x # c\n"
    new, skipped = _plan(tmp_path, original.encode(), [_test("id"), _test(None, "unique_combination")])
    assert not skipped and new is not None
    _only_insertions(original, new)
    doc = yaml.load(new, Loader=yaml.CSafeLoader)
    assert doc["models"][0]["columns"][0]["name"] == "id"
    assert "unique_combination" in doc["models"][0]["data_tests"][0]


def test_anchored_list_is_never_appended_to(tmp_path: Path) -> None:
    """`&price_tests` used by `*price_tests`: an entry appended there would apply to both columns."""
    original = (
        "version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: price\n"
        "        data_tests: &price_tests\n          - not_null\n      - name: net_price\n"
        "        data_tests: *price_tests\n"
    )
    new, skipped = _plan(
        tmp_path, original.encode(), [_test("price", "unique"), _test("net_price", "unique")]
    )
    assert new is None  # nothing written into the file
    assert len(skipped) == 2 and all("cannot insert safely" in why and "anchor" in why for _, why in skipped)
