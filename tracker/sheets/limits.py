"""Limits on what an import will read, enforced before and while reading, never after
loading everything. Documented in the README; each names what it protects against."""

from __future__ import annotations

MAX_FILE_BYTES = 100 * 1024 * 1024          # a register, not a data lake
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024  # sum of the zip's declared member sizes
MAX_COMPRESSION_RATIO = 200                  # declared size / compressed size, per member
MAX_ROWS = 500_000                           # rows in one sheet
MAX_COLUMNS = 500                            # columns in one sheet
MAX_CELL_CHARS = 32_767                      # Excel's own limit for a cell
MAX_SHEETS = 100
CSV_SNIFF_BYTES = 64 * 1024
MAX_SECONDS = 600                            # reading and checking one file, wall clock


class Deadline:
    """Wall-clock budget for one import, checked while streaming (guard chunks, plan rows)."""

    def __init__(self, seconds: float = MAX_SECONDS) -> None:
        import time

        self._clock = time.monotonic
        self.seconds = seconds
        self.ends = self._clock() + seconds

    def check(self, where: str) -> None:
        if self._clock() > self.ends:
            from tracker.sheets.guard import FileRefused

            raise FileRefused(f"{where}: the import stopped after {self.seconds:.0f} s, its "
                              "time limit; split the file or raise the limit")
