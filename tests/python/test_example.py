"""examples/per_lesion_dose_table.py runs on the sample patient and its CSV carries the module's numbers."""
import os
import pathlib
import subprocess
import sys
import warnings

import pandas as pd
import pytest

import sbrtkit


def test_per_lesion_example(patient, tmp_path):
    source = pathlib.Path(os.environ.get("SBRTKIT_SOURCE_DIR", pathlib.Path(__file__).parents[2]))
    done = subprocess.run([sys.executable, str(source / "examples/per_lesion_dose_table.py"), str(patient),
                           str(tmp_path)], capture_output=True, text=True, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "per_lesion_dose.csv")
    assert list(table.columns) == ["lesion", "name", "suv_max", "mtv_cc", "d98_gy", "covering_ptv", "status",
                                   "uptake_change_pct"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sbrtkit.SbrtkitWarning)
        baseline = sbrtkit.response(patient / "planning", patient / "baseline/pet",
                                    patient / "followup/pet").baseline.table
    assert table["lesion"].tolist() == baseline["id"].tolist()
    assert table["suv_max"].tolist() == pytest.approx(baseline["suv_max"].tolist(), rel=1e-12)
    assert table["status"].notna().any()
    try:
        import matplotlib  # noqa: F401
        assert (tmp_path / "dose_vs_uptake_change.png").stat().st_size > 0
    except ImportError:
        assert "skipping the scatter plot" in done.stdout

