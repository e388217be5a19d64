"""Fixtures of the sbrtkit Python suite: the CLI binary and a small synthetic patient made by it."""
import os
import pathlib
import subprocess

import pytest


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("SBRTKIT_BINARY")
    assert path and pathlib.Path(path).is_file(), "SBRTKIT_BINARY must name the sbrtkit binary (set by CTest)"
    return path


@pytest.fixture(scope="session")
def patient(binary, tmp_path_factory):
    """`sbrtkit phantom --size small --seed 1`: planning/ (CT, RTSTRUCT, RTPLAN, RTDOSE), baseline/, followup/."""
    out = tmp_path_factory.mktemp("patient")
    subprocess.run([binary, "phantom", "--out", str(out), "--size", "small", "--seed", "1"], check=True,
                   stdout=subprocess.DEVNULL)
    return out


def run_cli(binary, *args, ok=(0,)):
    """stdout of the CLI; its exit code must be one of ok (`check` exits 1 when the plan fails a constraint)."""
    done = subprocess.run([binary, *map(str, args)], capture_output=True, text=True)
    assert done.returncode in ok, done.stderr
    return done.stdout
