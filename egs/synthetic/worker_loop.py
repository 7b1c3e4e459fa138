"""The loop every teacher worker runs (``piper_worker.py``, ``kokoro_worker.py``): one request a
line on stdin, tab-separated fields with the output path first, answered on stdout with ``ok`` or
``error: ...`` (one line), so that the builder names the sentence that failed. Standard library
only: it runs inside each teacher's own venv."""

import sys


def serve(handle, fields: int) -> int:
    """Call ``handle(*fields)`` for each request line; never stops on a failed request."""
    for line in sys.stdin:
        request = line.rstrip("\n").split("\t", fields - 1)
        try:
            if len(request) != fields:
                raise ValueError(f"expected {fields} tab-separated fields, got {len(request)}")
            handle(*request)
            print("ok", flush=True)
        except Exception as err:  # reported to the builder, which names the sentence
            print(f"error: {err}".replace("\n", " "), flush=True)
    return 0
