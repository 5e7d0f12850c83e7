"""Shared fixtures: the repository, and the `stratus` command line built from
the same source, to compare the Python package against."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _find_cli() -> Path:
    env = os.environ.get("STRATUS_BIN")
    if env:
        return Path(env)
    for profile in ("release", "debug"):
        p = ROOT / "target" / profile / "stratus"
        if p.exists():
            return p
    found = shutil.which("stratus")
    if found:
        return Path(found)
    raise RuntimeError(
        "the stratus command line is needed to compare against: build it with "
        "`cargo build --bin stratus` (or set STRATUS_BIN)"
    )


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """Run the stratus command line in the repository; returns the process."""
    exe = _find_cli()

    def run(*args, check=True):
        p = subprocess.run(
            [str(exe), *map(str, args)], cwd=ROOT, capture_output=True, text=True
        )
        if check and p.returncode != 0:
            raise AssertionError(f"stratus {' '.join(map(str, args))} exited {p.returncode}:\n{p.stderr}")
        return p

    return run


@pytest.fixture(autouse=True)
def in_repository(monkeypatch):
    """Relative scenario paths, as on the command line, from the repository."""
    monkeypatch.chdir(ROOT)
