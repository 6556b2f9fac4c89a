"""Backup and restore of the embedded store's data (``portfolio backup`` / ``restore``).

nx-27017 keeps one SQLite file per database in ``<data dir>/mongo``. A backup copies each
with SQLite's online backup (a consistent snapshot even while ``portfolio serve`` writes) into
one ``tar.gz`` with a manifest (each file's SHA-256). A restore refuses a data directory that a
running store holds or that holds data already (unless told to replace it), checks every
file's hash, and puts the files in place; the caller then checks every chain (and the last
checkpoint) on the restored data.

Against a real MongoDB, use its own ``mongodump`` / ``mongorestore`` (untested here).
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from portfolio import clock
from portfolio.storage import EmbeddedStore, StoreError

MANIFEST = "manifest.json"
FORMAT = "portfolio-backup/1"


class BackupError(RuntimeError):
    """The backup cannot be written, or this restore cannot be done."""


@dataclass(frozen=True)
class BackupReport:
    """What a backup or a restore handled: the database files and their total size."""

    files: tuple[str, ...]
    bytes: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(data_dir: Path, target: Path) -> BackupReport:
    """Snapshot every database file of ``data_dir`` into the archive ``target``."""
    source = data_dir / "mongo"
    databases = sorted(source.glob("*.db"))
    if not databases:
        raise BackupError(f"no embedded store data in {source}")
    with tempfile.TemporaryDirectory(prefix="portfolio-backup-") as scratch:
        copies: dict[str, str] = {}
        total = 0
        for database in databases:
            copy = Path(scratch) / database.name
            # SQLite's own backup: consistent while the store keeps writing.
            with sqlite3.connect(database) as live, sqlite3.connect(copy) as snapshot:
                live.backup(snapshot)
            live.close()
            snapshot.close()
            copies[database.name] = _sha256(copy)
            total += copy.stat().st_size
        manifest = {
            "format": FORMAT,
            "created_at": clock.real_now().isoformat(timespec="milliseconds"),
            "files": copies,
        }
        partial = target.with_name(target.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            encoded = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(encoded)
            archive.addfile(info, io.BytesIO(encoded))
            for name in copies:
                archive.add(Path(scratch) / name, arcname=f"mongo/{name}")
        partial.replace(target)  # a half-written backup never carries the final name
    return BackupReport(tuple(copies), total)


def _refuse_if_held(data_dir: Path) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        held = EmbeddedStore(data_dir, lock_wait_s=0.0).acquire_lock()
    except StoreError as exc:
        raise BackupError(f"a running store holds {data_dir}: stop it first") from exc
    held.close()


def restore(source: Path, data_dir: Path, *, replace: bool = False) -> BackupReport:
    """Put the databases of the backup ``source`` into ``data_dir``'s store."""
    _refuse_if_held(data_dir)
    target = data_dir / "mongo"
    if any(target.glob("*.db")) and not replace:
        raise BackupError(f"{target} holds data already; restore into an empty data directory")
    try:
        archive = tarfile.open(source, "r:gz")  # noqa: SIM115 - closed by the with below
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"cannot read the backup {source}: {exc}") from exc
    with archive, tempfile.TemporaryDirectory(prefix="portfolio-restore-") as scratch:
        try:
            member = archive.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else {}
        except (KeyError, ValueError) as exc:
            raise BackupError("not a backup of this service (no manifest)") from exc
        if manifest.get("format") != FORMAT:
            raise BackupError("not a backup of this service")
        files: dict[str, str] = manifest["files"]
        total = 0
        for name, expected in files.items():
            if "/" in name or not name.endswith(".db"):
                raise BackupError(f"unexpected file in the backup: {name}")
            extracted = archive.extractfile(f"mongo/{name}")
            if extracted is None:
                raise BackupError(f"the backup lacks {name}")
            copy = Path(scratch) / name
            with copy.open("wb") as handle:
                shutil.copyfileobj(extracted, handle)
            if _sha256(copy) != expected:
                raise BackupError(f"{name} in the backup does not match its recorded hash")
            total += copy.stat().st_size
        target.mkdir(parents=True, exist_ok=True)
        for old in target.glob("*.db*"):  # with their -wal and -shm files
            old.unlink()
        for name in files:
            shutil.move(str(Path(scratch) / name), target / name)
    return BackupReport(tuple(files), total)
