"""Argument checks shared by the scripts in this folder.

Each script runs on its own (``python benchmarks/<name>.py``), which puts this
folder on ``sys.path``, so they import these with ``from _arguments import ...``.
"""

import argparse
import os
from pathlib import Path


def positive_int(text):
    """argparse type: an integer >= 1 (argparse names the argument on error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def ready_out_folder(parser, out):
    """Create ``--out`` before any work, so a bad folder fails in a second."""
    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        parser.error(f"argument --out: cannot create the folder {out}: {error}")
    if not os.access(out, os.W_OK):
        parser.error(f"argument --out: the folder {out} is not writable")
