"""`huiyin serve` storing events encrypted whole only, no value sealed per person: the
baseline server of the benchmark's phase 8 (`bench.personal_data.whole_events_only`).

Run: python -m bench.plain_serve --host 127.0.0.1 --port 8001 (with the server's settings
in HUIYIN_* variables, view runners off: views expect sealed values).
"""

from __future__ import annotations

import sys

from api.cli import main as huiyin
from bench.personal_data import whole_events_only


def main(argv: list[str] | None = None) -> None:
    """Serves the API as `huiyin serve` does, with the baseline's mapper."""
    sys.argv = ["huiyin", "serve", *(sys.argv[1:] if argv is None else argv)]
    with whole_events_only():
        huiyin()


if __name__ == "__main__":
    main()
