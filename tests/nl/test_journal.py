"""Fast tests of the write/rollback journal and the 'only additions' guard of `pef-gx ask` (no dbt)."""

from __future__ import annotations

from pathlib import Path

from pef_gx.runner.ask import PlannedFile, _is_subsequence, _Journal


def test_rollback_restores_bytes_and_removes_new_files_and_folders(tmp_path: Path):
    existing = tmp_path / "models" / "_marts.yml"
    existing.parent.mkdir()
    original = b"version: 2\r\nmodels:\r\n  - name: sales # keep me\r\n\xc3\xa9\r\n"  # CRLF, comment, UTF-8
    existing.write_bytes(original)
    new_file = tmp_path / "models" / "generated" / "deep" / "x.sql"
    journal = _Journal()
    planned = [
        PlannedFile(existing, original.decode(), "version: 2\nmodels: []\n", "dbt properties"),
        PlannedFile(new_file, None, "select 1\n", "model SQL"),
    ]
    journal.prepare([p.path for p in planned])
    for item in planned:
        journal.write(item)
    assert new_file.read_text() == "select 1\n" and existing.read_bytes() != original
    journal.rollback()
    assert existing.read_bytes() == original
    assert not (tmp_path / "models" / "generated").exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["_marts.yml", "models"]


def test_only_additions_pass_the_guard():
    old = "a:\n  - x\n\n  - y\n"
    assert _is_subsequence(old, "a:\n  - x\n  - new\n  - y\n")  # an added line, a blank line dropped
    assert not _is_subsequence(old, "a:\n  - y\n  - x\n")  # reordered
    assert not _is_subsequence(old, "a:\n  - x\n")  # removed
