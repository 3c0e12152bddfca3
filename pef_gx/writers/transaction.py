"""Many files written as one transaction: all of them or none, even across a kill -9.

1. `preflight`: every target is inside its root (symlinks resolved), its folder is writable and an
   existing target can be opened for writing (an immutable file fails here, before anything changed).
2. `stage`: every new text goes to a temporary file next to its target (`.<name>.<txid>.pef-gx.tmp`),
   and every existing target gets a hard link as backup (`.<name>.<txid>.pef-gx.bak`); one sync.
3. The journal (`<root>/.pef-gx/write.journal.json`, written atomically and synced) lists the moves:
   from this moment the transaction is decided, and it rolls FORWARD.
4. The renames and removals; a failure in this process rolls BACK from the backups. Then one sync, the
   journal and the backups go.

`recover` runs at the start of the next write: a journal left by a killed run is finished (roll forward);
temporary files of a run killed before its journal existed are deleted (nothing had changed yet), and so
are those `write_many` left before pef-gx had journals (`.<name>.<random>.tmp`). `leftovers` lists what
`recover` would act on, for `generate --check`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pef_gx.errors import OutputError
from pef_gx.writers.atomic import check_writable
from pef_gx.writers.paths import inside

JOURNAL = Path(".pef-gx") / "write.journal.json"
_MARK = ".pef-gx"
# ours (`.<name>.<txid>.pef-gx.tmp|bak`) and those of write_many before journals (`.<name>.<8 chars>.tmp`)
_LEFTOVER = re.compile(r"^\..+\.(?:[0-9a-f]{12}\.pef-gx\.(?:tmp|bak)|[A-Za-z0-9_]{8}\.tmp)$")


@dataclass(frozen=True)
class Write:
    path: Path
    text: str | None  # None: remove the file
    root: Path  # the path must stay under it


def _sidecar(path: Path, txid: str, kind: str) -> Path:
    return path.with_name(f".{path.name}.{txid}{_MARK}.{kind}")


def _check_target(write: Write) -> None:
    inside(write.path, write.root, "file")
    check_writable(write.path)
    if write.path.is_file():
        try:  # opening for writing changes nothing, and fails on an immutable or append-only file
            os.close(os.open(write.path, os.O_WRONLY))
        except OSError as exc:
            raise OutputError(
                f"cannot write {write.path}: {exc.strerror or exc}",
                "make the file writable (chattr -i / chmod u+w); nothing was changed",
            ) from None


def preflight(writes: Sequence[Write]) -> None:
    """Raise OutputError when any target could not be written; nothing is changed."""
    probed: set[Path] = set()
    for write in writes:
        if write.path.parent in probed and not write.path.exists():
            inside(write.path, write.root, "file")
            continue
        _check_target(write)
        probed.add(write.path.parent)


def commit(writes: Sequence[Write], journal_root: Path) -> None:
    """Write every file or none (see the module docstring)."""
    if not writes:
        return
    preflight(writes)
    txid = uuid.uuid4().hex[:12]
    moves: list[tuple[Path, Path | None, Path | None]] = []  # (target, staged text, backup)
    try:
        for write in writes:
            staged = None
            if write.text is not None:
                staged = _sidecar(write.path, txid, "tmp")
                write.path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode(write.path))
                with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
                    handle.write(write.text)
            backup = None
            if write.path.is_file():
                backup = _sidecar(write.path, txid, "bak")
                os.link(write.path, backup)
            moves.append((write.path, staged, backup))
        os.sync()
        journal = journal_root / JOURNAL
        _write_journal(journal, txid, moves, {str(w.root) for w in writes})
    except OSError as exc:
        _discard(moves)
        raise OutputError(
            f"cannot stage the files to write: {exc.strerror or exc}", "nothing was changed"
        ) from None
    except BaseException:
        _discard(moves)
        raise
    done: list[tuple[Path, Path | None, Path | None]] = []
    try:
        for move in moves:
            _apply(move)
            done.append(move)
    except BaseException as exc:
        _roll_back(done)
        _discard(moves)
        journal.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(
                f"cannot write {move[0]}: {exc.strerror or exc}", "every file was put back as it was"
            ) from None
        raise
    os.sync()
    journal.unlink(missing_ok=True)
    _discard(moves)


def _mode(path: Path) -> int:
    with contextlib.suppress(OSError):
        return path.stat().st_mode & 0o7777
    return 0o644


def _apply(move: tuple[Path, Path | None, Path | None]) -> None:
    target, staged, _ = move
    if staged is None:
        target.unlink(missing_ok=True)
    elif staged.exists():
        os.replace(staged, target)


def _roll_back(done: Iterable[tuple[Path, Path | None, Path | None]]) -> None:
    for target, _, backup in reversed(list(done)):
        with contextlib.suppress(OSError):
            if backup is not None and backup.exists():
                os.replace(backup, target)
            elif backup is None:
                target.unlink(missing_ok=True)


def _discard(moves: Iterable[tuple[Path, Path | None, Path | None]]) -> None:
    for _, staged, backup in moves:
        for extra in (staged, backup):
            if extra is not None:
                with contextlib.suppress(OSError):
                    extra.unlink()


def _write_journal(journal: Path, txid: str, moves: list, roots: set[str]) -> None:
    journal.parent.mkdir(parents=True, exist_ok=True)
    body = {
        "txid": txid,
        "roots": sorted(roots),
        "moves": [[str(t), str(s) if s else None, str(b) if b else None] for t, s, b in moves],
    }
    tmp = journal.with_name(f".{journal.name}.{txid}{_MARK}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(body, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, journal)
    fd = os.open(journal.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_journal(journal: Path, roots: Sequence[Path]) -> list[tuple[Path, Path | None, Path | None]]:
    """The journal's moves, each checked: a target under one of `roots`, sidecars next to it."""
    hint = f"delete {journal} if you are sure no pef-gx run was interrupted, then run again"
    try:
        body = json.loads(journal.read_text(encoding="utf-8"))
        txid = str(body["txid"])
        moves = []
        for target, staged, backup in body["moves"]:
            path = Path(target)
            if not any(_under(path, root) for root in roots):
                raise ValueError(f"{target} is outside the project")
            for extra, kind in ((staged, "tmp"), (backup, "bak")):
                if extra is not None and Path(extra) != _sidecar(path, txid, kind):
                    raise ValueError(f"{extra} is not a staged file of {target}")
            moves.append((path, Path(staged) if staged else None, Path(backup) if backup else None))
        return moves
    except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
        raise OutputError(f"the write journal {journal} is damaged ({str(exc)[:120]})", hint) from None


def _under(path: Path, root: Path) -> bool:
    real_root = root.resolve()
    real = path.parent.resolve()
    return real == real_root or real_root in real.parents


def leftovers(journal_root: Path, folders: Iterable[Path]) -> list[Path]:
    """What an interrupted run left: its journal, and temporary files in `folders`."""
    found = [journal_root / JOURNAL] if (journal_root / JOURNAL).exists() else []
    for folder in sorted(set(folders)):
        with contextlib.suppress(OSError):
            found += sorted(p for p in folder.iterdir() if _LEFTOVER.match(p.name) and p.is_file())
    return found


def recover(journal_root: Path, roots: Sequence[Path], folders: Iterable[Path]) -> int:
    """Finish a transaction a killed run decided (roll forward), delete staged files of one it had not;
    returns how many files were acted on."""
    journal = journal_root / JOURNAL
    count = 0
    if journal.exists():
        moves = _read_journal(journal, roots)
        try:
            for move in moves:
                _apply(move)
                count += 1
            os.sync()
        except OSError as exc:
            raise OutputError(
                f"cannot finish the interrupted write recorded in {journal}: {exc.strerror or exc}",
                "make the files writable and run again",
            ) from None
        journal.unlink()
        _discard(moves)
        folders = [*folders, *(m[0].parent for m in moves)]
    for path in leftovers(journal_root, folders):
        if path != journal:
            with contextlib.suppress(OSError):
                path.unlink()
                count += 1
    return count
