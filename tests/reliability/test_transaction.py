"""Issue 10, item 4: a generate run is one transaction. On main one immutable suite among many left half
the suites rewritten, an unwritable YAML left every suite rewritten, and kill -9 left a mix of old and new
suites plus thousands of `.*.tmp` files that later runs neither cleaned nor noticed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import snapshot_tree
from tests.reliability.conftest import manifest_path, run_inprocess

REPO = Path(__file__).resolve().parents[2]


def _chattr(flag: str, path: Path) -> bool:
    return shutil.which("chattr") is not None and (
        subprocess.run(["chattr", flag, str(path)], capture_output=True).returncode == 0
    )


@pytest.fixture
def immutable() -> Iterator[list[Path]]:
    """Files made immutable by the test (`chattr +i`: even root cannot write them); undone afterwards."""
    made: list[Path] = []
    yield made
    for path in made:
        _chattr("-i", path)


def _make_immutable(path: Path, made: list[Path]) -> None:
    if not _chattr("+i", path):
        pytest.skip("chattr +i is not available on this filesystem (needs root and ext4/xfs/btrfs)")
    made.append(path)


def _outdate_every_suite(ws: Path) -> None:
    """Every suite (and a YAML) becomes out of date: one hand-written accepted_values list changes."""
    data = json.loads(manifest_path(ws).read_text())
    for node in data["nodes"].values():
        if node["resource_type"] == "test":
            node["description"] = "changed"  # lands in every generated expectation's meta
    manifest_path(ws).write_text(json.dumps(data))


def test_one_immutable_suite_among_many_changes_nothing(ws: Path, immutable: list[Path]) -> None:
    _outdate_every_suite(ws)
    suites = sorted((ws / "suites").glob("*.json"))
    _make_immutable(suites[len(suites) // 2], immutable)
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stdout + out.stderr
    assert suites[len(suites) // 2].name in out.stderr and "nothing was changed" in out.stderr
    assert snapshot_tree(ws) == before
    assert not [p for p in ws.rglob(".*") if p.name.endswith((".tmp", ".bak"))]


def test_unwritable_yaml_changes_no_suite(ws: Path, immutable: list[Path]) -> None:
    _outdate_every_suite(ws)
    marts = ws / "dbt_project" / "models" / "marts" / "_marts.yml"
    text = marts.read_text()
    marts.write_text(text.replace("pef_gx: {owned: true", "pef_gx: {owned: true, stale: 1", 1))
    out = run_inprocess("generate", "--dry-run", cwd=ws)
    assert out.code == 0 and "_marts.yml" in out.stdout, "the test needs a change to _marts.yml"
    _make_immutable(marts, immutable)
    before = snapshot_tree(ws)
    out = run_inprocess("generate", cwd=ws)
    assert out.crash is None and out.code == 2, out.crash or out.stdout + out.stderr
    assert "_marts.yml" in out.stderr
    assert snapshot_tree(ws) == before


# --- kill -9 in the middle of a large generate ---------------------------------------------------------


def _bench_project(root: Path, models: int) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import generate_bench
    finally:
        sys.path.pop(0)
    generate_bench.build(root, models)


def _generate(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pef_gx", "generate", "--quiet", *args],
        cwd=root, capture_output=True, text=True, timeout=900,
    )  # fmt: skip


def _suites(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "suites").iterdir())}


def _kill_when(root: Path, seen: str) -> bool:
    """Start generate, kill -9 it the moment `seen` appears ("journal" or "staged"); False if it never did."""
    journal = root / ".pef-gx" / "write.journal.json"
    suites = root / "suites"
    proc = subprocess.Popen(
        [sys.executable, "-m", "pef_gx", "generate", "--quiet"],
        cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        while proc.poll() is None:
            if seen == "journal" and journal.exists():
                break
            if seen == "staged":
                with os.scandir(suites) as entries:
                    if any(e.name.endswith(".pef-gx.tmp") for e in entries):
                        break
            time.sleep(0.002)
        else:
            return False
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def big_project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """800 models with their suites written, then a manifest under which every suite is out of date; and
    the suites an uninterrupted run writes from it."""
    base = tmp_path_factory.mktemp("big")
    root = base / "project-root"
    _bench_project(root, 800)
    assert _generate(root).returncode == 0
    data = json.loads(manifest_path_of(root).read_text())
    for node in data["nodes"].values():
        if node["resource_type"] == "test":
            node["description"] = "changed"
    manifest_path_of(root).write_text(json.dumps(data))
    reference = base / "reference"
    shutil.copytree(root, reference)
    assert _generate(reference).returncode == 0
    return root, _suites(reference)


@pytest.mark.integration
@pytest.mark.parametrize("moment", ["staged", "journal"])
def test_kill_9_mid_generate_recovers(
    big_project: tuple[Path, dict[str, bytes]], tmp_path: Path, moment: str
) -> None:
    """The run is killed while it stages its files (nothing decided: the next run starts from the old
    state) or once its journal exists (decided: the next run finishes it). Either way the next run ends
    exactly where an uninterrupted run ends, and `--check` notices the debris first."""
    root = tmp_path / "project-root"
    shutil.copytree(big_project[0], root)
    expected = big_project[1]

    if not _kill_when(root, moment):
        pytest.skip(f"generate finished before the moment '{moment}' could be caught")
    leftovers = [p.name for p in (root / "suites").iterdir() if p.name.startswith(".")]
    journal = root / ".pef-gx" / "write.journal.json"
    assert leftovers or journal.exists(), "the kill left nothing to recover: the test did not bite"
    if moment == "journal":
        assert _suites(root) != expected or leftovers  # mid-commit: a mix, or not yet renamed

    check = _generate(root, "--check")
    assert check.returncode == 1, check.stdout + check.stderr  # the debris is noticed
    assert "Traceback" not in check.stderr

    again = _generate(root)
    assert again.returncode == 0, again.stderr
    assert not journal.exists()
    assert _suites(root) == expected  # consistent: exactly what an uninterrupted run writes
    assert _generate(root, "--check").returncode == 0


def manifest_path_of(root: Path) -> Path:
    return root / "project" / "target" / "manifest.json"


def test_recover_rolls_forward_a_decided_transaction(tmp_path: Path) -> None:
    """The journal logic without a kill: staged files and a journal as a killed run leaves them."""
    from pef_gx.writers import transaction

    root = tmp_path
    (root / "suites").mkdir()
    old = root / "suites" / "a.json"
    old.write_text("old\n")
    gone = root / "suites" / "b.json"
    gone.write_text("remove me\n")
    staged = old.with_name(".a.json.0123456789ab.pef-gx.tmp")
    staged.write_text("new\n")
    backup = old.with_name(".a.json.0123456789ab.pef-gx.bak")
    os.link(old, backup)
    journal = root / transaction.JOURNAL
    journal.parent.mkdir()
    journal.write_text(
        json.dumps(
            {
                "txid": "0123456789ab",
                "roots": [str(root)],
                "moves": [[str(old), str(staged), str(backup)], [str(gone), None, None]],
            }
        )
    )
    stray = root / "suites" / ".c.json.abcdefgh.tmp"  # left by write_many on main
    stray.write_text("{")
    assert set(transaction.leftovers(root, [root / "suites"])) == {journal, staged, backup, stray}
    transaction.recover(root, [root / "suites"], [root / "suites"])
    assert old.read_text() == "new\n" and not gone.exists()
    assert sorted(p.name for p in (root / "suites").iterdir()) == ["a.json"]
    assert not journal.exists()


def test_a_journal_pointing_outside_is_refused(tmp_path: Path) -> None:
    from pef_gx.errors import OutputError
    from pef_gx.writers import transaction

    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n")
    journal = tmp_path / "proj" / transaction.JOURNAL
    journal.parent.mkdir(parents=True)
    journal.write_text(
        json.dumps({"txid": "0123456789ab", "roots": [], "moves": [[str(victim), None, None]]})
    )
    with pytest.raises(OutputError, match="damaged"):
        transaction.recover(tmp_path / "proj", [tmp_path / "proj"], [])
    assert victim.read_text() == "keep\n"
