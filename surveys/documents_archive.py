"""The ZIP of a campaign's official documents, written in chunks that survive a worker's death
(``docs/documents.md`` §5).

A province's archive (10,644 documents in the largest synthetic province, 0.16 s per DOCX and
0.9 s per PDF: ``benchmarks/README.md``) takes far longer than Celery's soft time limit
(``CELERY_TASK_SOFT_TIME_LIMIT``, 300 s), so the job (``surveys.tasks.export_xlsx_task``)
writes it chunk by chunk, each chunk a task of its own that appends at most
``ECOPARK_DOCUMENTS_CHUNK`` documents or stops after ``ECOPARK_DOCUMENTS_CHUNK_SECONDS``.

The work file is the job's file itself (private storage, ``exports/<hex>.zip``). After each
chunk it is a complete ZIP; its state is a :class:`Mark` (chunks done, size in bytes,
documents, the last document written as ``(response id, form)``) recorded on the job row.
Appending (``zipfile`` mode ``"a"``) overwrites the central directory, so before the mark is
recorded the chunk saves the directory's bytes beside the file (``<file>.<chunks>.dir``).
:func:`write_chunk` first brings the file back to the recorded mark (:func:`restore`: the saved
directory written back at its place and the file cut to the recorded size), so a chunk run
again after a worker died mid-chunk drops whatever that worker appended and writes it again:
no document twice, none missing. A chunk holds an exclusive lock on the file
(:func:`locked`, ``flock``; the system releases it when the process dies), so two deliveries
of one chunk never write at once.
"""

from __future__ import annotations

import fcntl
import os
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO


@dataclass(frozen=True)
class Mark:
    """A recorded point of an archive: ``chunks`` chunks done, the first ``size`` bytes of the
    work file a complete ZIP of ``count`` documents (as :func:`write_chunk` returns it; it reads
    the count from the archive, not from the mark it is given), the last of them ``after`` =
    ``(response id, form)`` (``None`` before the first). ``final``: nothing is left to write."""

    chunks: int = 0
    size: int = 0
    count: int = 0
    after: tuple[int, str] | None = None
    final: bool = False


def directory_path(path: Path, chunks: int) -> Path:
    """Where the central directory of the archive at ``path`` after ``chunks`` chunks is kept:
    ``<file>.<chunks>.dir`` beside it."""
    return path.with_name(f"{path.name}.{chunks}.dir")


def remove_work_files(path: Path) -> None:
    """Delete the saved directories of the archive at ``path`` (not the archive itself)."""
    for saved in path.parent.glob(f"{path.name}.*.dir*"):
        saved.unlink(missing_ok=True)


@contextmanager
def locked(path: Path) -> Iterator[BinaryIO | None]:
    """The work file at ``path`` (created empty when missing; folders too) opened for reading
    and writing under an exclusive ``flock``; ``None`` when another process (another delivery
    of the same chunk) holds it. Closed, and so unlocked, at exit."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(fd, "r+b") as file:
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        yield file


def restore(file: BinaryIO, path: Path, mark: Mark) -> None:
    """Bring the work file back to ``mark``: its saved central directory written back where it
    began and the file cut to ``mark.size`` bytes (empty for the first chunk). Whatever a
    previous run appended after the mark is gone. ``FileNotFoundError`` when the saved
    directory is missing."""
    if mark.size == 0:
        file.truncate(0)
        return
    directory = directory_path(path, mark.chunks).read_bytes()
    file.seek(mark.size - len(directory))
    file.write(directory)
    file.truncate(mark.size)
    file.flush()


def write_chunk(
    file: BinaryIO,
    path: Path,
    mark: Mark,
    documents: Iterator[tuple[int, str, str, bytes]],
    *,
    limit: int,
    seconds: float,
    record: Callable[[Mark], bool],
    progress: Callable[[int], None] | None = None,
) -> Mark | None:
    """Append one chunk to the archive at ``path`` (``file``: it open under :func:`locked`)
    from ``mark``: ``documents`` (``surveys.documents.documents_after``, starting after
    ``mark.after``) until ``limit`` documents are written or ``seconds`` have passed since the
    chunk began (checked after each document), or none is left (then the mark is ``final``).

    Order of a chunk, so that a death at any point leaves the recorded mark intact:
    :func:`restore` to ``mark``; append (deflate), calling ``progress(count)`` after every 10th
    document; close the ZIP (a new central directory) and sync; save that directory as
    ``<file>.<chunks + 1>.dir``; ``record(new mark)`` (the job row, one conditional update;
    False when the row no longer expects this chunk: nothing more is done and ``None``
    returned); delete the previous saved directory (all of them once final). Returns the new
    mark."""
    restore(file, path, mark)
    file.seek(0, os.SEEK_END)
    started = time.monotonic()
    written, after, final = 0, mark.after, True
    with zipfile.ZipFile(
        file, "a" if mark.size else "w", compression=zipfile.ZIP_DEFLATED
    ) as archive:
        before = len(archive.infolist())  # the documents at the mark
        for response_id, form, name, data in documents:
            archive.writestr(name, data)
            written += 1
            after = (response_id, form)
            if progress is not None and written % 10 == 0:
                progress(before + written)
            if written >= limit or time.monotonic() - started >= seconds:
                final = False
                break
        directory_at = file.tell()  # the end of the entries: the new directory starts here
    if hasattr(documents, "close"):
        documents.close()
    file.flush()
    os.fsync(file.fileno())
    size = file.seek(0, os.SEEK_END)
    file.seek(directory_at)
    directory = file.read(size - directory_at)
    new = Mark(chunks=mark.chunks + 1, size=size, count=before + written, after=after, final=final)
    saved = directory_path(path, new.chunks)
    partial = saved.with_name(saved.name + ".part")
    partial.write_bytes(directory)
    os.replace(partial, saved)
    if not record(new):
        return None
    if final:
        remove_work_files(path)
    else:
        directory_path(path, mark.chunks).unlink(missing_ok=True)
    return new
