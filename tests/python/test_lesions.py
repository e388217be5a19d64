"""sbrtkit.lesions / sbrtkit.response against the CLI's files for the same call on the sample patient: the
tables equal lesions.csv / response.csv, the label map equals the CLI's lesions_labels.nrrd voxel for voxel
(an independent writer: this checks the z, y, x order and the geometry), and SUVmax is the SUV image's
largest value over each lesion's labelled voxels (SUVmax is a voxel value: no resampling)."""
import gc
import json
import pathlib
import warnings

import numpy as np
import pytest

import sbrtkit
from conftest import run_cli

EXCLUDE = "Bladder,Bowel"


def read_nrrd(path):
    """Header fields and the raw little-endian array [z, y, x] of an NRRD written by sbrtkit."""
    data = pathlib.Path(path).read_bytes()
    header, _, raw = data.partition(b"\n\n")
    fields = {}
    for line in header.decode().splitlines()[1:]:
        if ":" in line and not line.startswith("#"):
            key, _, value = line.partition(":")
            fields[key.strip()] = value.strip().lstrip("=").strip()
    assert fields["encoding"] == "raw" and fields["endian"] == "little"
    nx, ny, nz = (int(v) for v in fields["sizes"].split())
    dtype = {"unsigned short": "<u2", "ushort": "<u2", "uint16": "<u2", "unsigned char": "u1", "uchar": "u1"}[fields["type"]]
    return fields, np.frombuffer(raw, dtype=dtype).reshape(nz, ny, nx)


@pytest.fixture(scope="module")
def cli_lesions(patient, binary, tmp_path_factory):
    out = tmp_path_factory.mktemp("lesions")
    run_cli(binary, "lesions", "--plan", patient / "planning", "--pet", patient / "baseline/pet", "--segment",
            "percent", "--exclude", EXCLUDE, "--alpha-beta", "10", "--out", out)
    return out


@pytest.fixture(scope="module")
def result(patient):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sbrtkit.SbrtkitWarning)
        return sbrtkit.lesions(patient / "planning", patient / "baseline/pet", segment="percent", exclude=EXCLUDE,
                               alpha_beta=10)


def test_table_equals_the_cli_csv(result, cli_lesions):
    import pandas as pd
    cli = sbrtkit.frame_from_csv((cli_lesions / "lesions.csv").read_text())
    assert len(result.table) > 0
    pd.testing.assert_frame_equal(result.table, cli)


def test_label_map_equals_the_cli_nrrd_and_suv_max_is_a_voxel_value(result, cli_lesions):
    fields, cli_labels = read_nrrd(cli_lesions / "lesions_labels.nrrd")
    labels, suv = result.labels, result.suv
    assert labels.array.shape == cli_labels.shape == suv.array.shape
    assert np.array_equal(labels.array, cli_labels)
    origin = [float(v) for v in fields["space origin"].strip("()").split(",")]
    assert np.allclose(origin, labels.origin, atol=1e-4)
    cli = json.loads((cli_lesions / "lesions.json").read_text())
    assert [int(i) for i in result.table["id"]] == [l["id"] for l in cli["lesions"]]
    for lesion in cli["lesions"]:
        inside = suv.array[labels.array == lesion["id"]]
        assert inside.size > 0
        assert float(inside.max()) == lesion["suv_max"]  # the same float32 voxel


def test_suv_array_outlives_the_result(patient):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sbrtkit.SbrtkitWarning)
        r = sbrtkit.lesions(patient / "planning", patient / "baseline/pet", segment="percent", exclude=EXCLUDE)
    array = r.suv.array
    total = float(array.sum(dtype=np.float64))
    del r
    gc.collect()
    assert float(array.sum(dtype=np.float64)) == total and total > 0


def test_response_table_equals_the_cli_csv(patient, binary, tmp_path):
    import pandas as pd
    run_cli(binary, "response", "--plan", patient / "planning", "--baseline", patient / "baseline/pet",
            "--followup", patient / "followup/pet", "--out", tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sbrtkit.SbrtkitWarning)
        r = sbrtkit.response(patient / "planning", patient / "baseline/pet", patient / "followup/pet")
    pd.testing.assert_frame_equal(r.table, sbrtkit.frame_from_csv((tmp_path / "response.csv").read_text()))
    assert r.followup.suv.array.ndim == 3 and len(r.table) > 0


def test_neither_rois_nor_segment_is_a_bad_argument(patient):
    with pytest.raises(sbrtkit.BadArgumentError):
        sbrtkit.lesions(patient / "planning", patient / "baseline/pet")
    with pytest.raises(sbrtkit.BadArgumentError):
        sbrtkit.lesions(patient / "planning", patient / "baseline/pet", segment="otsu")
