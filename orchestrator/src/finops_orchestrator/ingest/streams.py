"""An export file's bytes as one stream (gzip undone), with what truncation and hostile files give away.

The stream counts what passes through it, so the readers can tell afterwards whether the file ended where a
complete file ends (its last byte, the parity of its quotes) without a second pass, and it refuses a gzip
member cut short or one that expands past ``ceilings``.
"""

from __future__ import annotations

import gzip
import io
import os
import zlib
from pathlib import Path

from finops_core.errors import InvalidInput

from finops_orchestrator.ingest.ceilings import GZIP_RATIO_FROM, MAX_DECOMPRESSED_BYTES, MAX_GZIP_RATIO, MIB

NOTHING_WRITTEN = "Nothing from this file was written"


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


class ExportStream(io.RawIOBase):
    """Read-only bytes of ``path``; ``unread`` puts bytes back in front (the head a reader peeked at)."""

    def __init__(self, path: Path, where: str) -> None:
        super().__init__()
        self.where = where
        self._raw = path.open("rb")
        self.compressed_size = os.fstat(self._raw.fileno()).st_size
        self._gzip = gzip.GzipFile(fileobj=self._raw, mode="rb") if is_gzip(path) else None
        self._source: io.BufferedIOBase | io.BufferedReader = self._gzip or self._raw
        self._pushed = b""
        self.bytes_read = 0  # bytes handed out, the pushed-back ones once
        self.quotes = 0
        self.last_byte = b""
        self.exhausted = False

    def readable(self) -> bool:
        return True

    def final_byte(self) -> bytes | None:
        """The file's last byte, read without reading the file (None for gzip: known only at its end)."""
        if self._gzip is not None or not self.compressed_size:
            return None
        position = self._raw.tell()
        self._raw.seek(-1, os.SEEK_END)
        last = self._raw.read(1)
        self._raw.seek(position)
        return last

    def unread(self, data: bytes) -> None:
        """Give ``data`` (the last bytes read) back: the next reads return it first, counted once."""
        self._pushed = data + self._pushed
        self.bytes_read -= len(data)
        self.quotes -= data.count(b'"')

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        size = len(buffer)
        if self._pushed:
            data, self._pushed = self._pushed[:size], self._pushed[size:]
        else:
            data = self._read_source(size)
        n = len(data)
        buffer[:n] = data
        if n:
            self.bytes_read += n
            self.quotes += data.count(b'"')
            self.last_byte = data[-1:]
        elif size:
            self.exhausted = True
        return n

    def read_head(self, size: int) -> bytes:
        """Up to ``size`` bytes from the start (fewer only at the end of the file)."""
        parts: list[bytes] = []
        got = 0
        while got < size:
            chunk = self.read(size - got)
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
        return b"".join(parts)

    def _read_source(self, size: int) -> bytes:
        try:
            data = self._source.read(size)
        except EOFError as exc:  # gzip: "Compressed file ended before the end-of-stream marker was reached"
            raise InvalidInput(
                f"{self.where}the gzip stream ends early: the file was cut off while it was copied or downloaded. "
                f"{NOTHING_WRITTEN}; fetch it again."
            ) from exc
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise InvalidInput(
                f"{self.where}is not a readable gzip file ({exc}). {NOTHING_WRITTEN}; fetch it again, or name it "
                "without .gz if it is not compressed."
            ) from exc
        if self._gzip is not None and data:
            self._check_expansion(self.bytes_read + len(self._pushed) + len(data))
        return data

    def _check_expansion(self, decompressed: int) -> None:
        """Against the compressed bytes read so far, so a bomb is stopped early, not once the whole file's
        allowance is spent."""
        consumed = self._raw.tell()
        limit = max(GZIP_RATIO_FROM, MAX_GZIP_RATIO * consumed)
        if decompressed > min(limit, MAX_DECOMPRESSED_BYTES):
            raise InvalidInput(
                f"{self.where}expands to more than {decompressed // MIB:,} MiB from {consumed:,} bytes of gzip "
                f"(at most {MAX_GZIP_RATIO}x, and {MAX_DECOMPRESSED_BYTES >> 30} GiB, are read): not a "
                f"billing export as written by a cloud. {NOTHING_WRITTEN}; if it is genuine, decompress it and "
                "ingest the plain file."
            )

    def close(self) -> None:
        if self._gzip is not None:
            self._gzip.close()
        self._raw.close()
        super().close()
