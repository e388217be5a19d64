"""The module's numbers against the CLI's JSON on the same patient: the CLI is a separate process and a
separate output path (nlohmann JSON of the pipelines' results), so equality checks the bindings' plumbing
(ROI order, metric columns, units, NaN for null), not the engine (tested in the C++ suite against closed forms)."""
import gc
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

import sbrtkit
from conftest import run_cli


@pytest.fixture(scope="module")
def plan(patient):
    return sbrtkit.load_plan(str(patient / "planning"))


def test_dvh_metrics_equal_the_cli_json(plan, patient, binary):
    cli = json.loads(run_cli(binary, "dvh", patient / "planning", "--format", "json"))
    frame = plan.dvh().to_pandas()
    assert list(frame.index) == [s["name"] for s in cli["structures"]]
    assert list(frame.columns) == list(sbrtkit_default_metrics())
    for s in cli["structures"]:
        for key, value in s["metrics"].items():
            got = frame.loc[s["name"], key]
            if value is None:
                assert math.isnan(got), (s["name"], key)
            else:
                assert got == value, (s["name"], key)  # same double: the same computation, printed exactly


def sbrtkit_default_metrics():
    return ["Volume[cc]", "Min[Gy]", "Mean[Gy]", "Max[Gy]", "D98%[Gy]", "D95%[Gy]", "D50%[Gy]", "D2%[Gy]",
            "D0.03cc[Gy]"]


def test_dvh_chosen_rois_and_metrics_and_curve_equal_the_cli(plan, patient, binary):
    metrics = ["D95%[Gy]", "V20Gy[cc]", "V100%[%]"]
    cli = json.loads(run_cli(binary, "dvh", patient / "planning", "--format", "json", "--roi", "PTV_L3",
                             "--metrics", ",".join(metrics), "--dvh-curves"))
    result = plan.dvh(rois=["PTV_L3"], metrics=metrics)
    frame = result.to_pandas()
    assert list(frame.columns) == metrics and list(frame.index) == ["PTV_L3"]
    for key in metrics:
        assert frame.loc["PTV_L3", key] == cli["structures"][0]["metrics"][key]
    dose, volume = result.curve("PTV_L3")
    curve = cli["structures"][0]["dvh"]  # the cumulative curve (its "differential" is nested in it)
    assert dose.tolist() == curve["dose_gy"]
    assert volume.tolist() == curve["volume_cc"]
    # By number too; and the curve starts at the whole (covered) volume at 0 Gy.
    assert np.array_equal(result.curve(12)[0], dose)
    assert volume[0] <= result.volume_cc["PTV_L3"] * (1 + 1e-12) and volume[0] > 0


def test_qa_frame_has_the_csv_columns_and_the_json_numbers(plan, patient, binary):
    csv_text = run_cli(binary, "qa", patient / "planning", "--format", "csv")
    cli_csv = sbrtkit.frame_from_csv(csv_text)
    frame = plan.qa()
    assert list(frame.columns) == list(pd.read_csv(io.StringIO(csv_text)).columns)
    pd.testing.assert_frame_equal(frame, cli_csv)
    # The frame is parsed from the CSV writer's text, which prints 6 significant digits ({:.6g}): each number
    # equals the JSON's full double to half a unit in the 6th digit.
    cli = json.loads(run_cli(binary, "qa", patient / "planning", "--format", "json"))
    keys = {"tv_cc": "tv_cc", "v100_pct": "V100%[%]", "d98_gy": "D98%[Gy]", "d95_gy": "D95%[Gy]",
            "d50_gy": "D50%[Gy]", "d2_gy": "D2%[Gy]", "near_max_gy": "near_max_gy", "mean_gy": "Mean[Gy]",
            "piv_cc": "piv_cc", "piv50_cc": "piv50_cc", "rtog_ci": "rtog_ci", "paddick_ci": "paddick_ci",
            "gradient_index": "gradient_index", "r50": "r50", "d2cm_pct": "d2cm_pct", "hi": "hi",
            "prescription_gy": "prescription_gy"}
    assert len(frame) == len(cli["targets"]) > 0
    for (_, row), target in zip(frame.iterrows(), cli["targets"]):
        assert row["name"] == target["name"] and row["roi_number"] == target["roi_number"]
        assert row["r50_level"] == (target["r50_level"] or "")
        for column, key in keys.items():
            if target[key] is None:
                assert math.isnan(row[column])
            else:
                assert row[column] == pytest.approx(target[key], rel=5e-6, abs=1e-12), column


def test_check_frame_has_the_csv_columns_and_the_json_rows(plan, patient, binary):
    csv_text = run_cli(binary, "check", patient / "planning", "--protocol", "mdt-ompc", "--format", "csv", ok=(0, 1))
    cli_csv = sbrtkit.frame_from_csv(csv_text)
    frame = plan.check("mdt-ompc")
    pd.testing.assert_frame_equal(frame, cli_csv)
    cli = json.loads(run_cli(binary, "check", patient / "planning", "--protocol", "mdt-ompc", "--format", "json",
                             ok=(0, 1)))
    assert len(frame) == len(cli["rows"]) > 0
    for (_, row), want in zip(frame.iterrows(), cli["rows"]):
        assert (row["structure"], row["metric"], row["result"]) == (want["structure"] or "", want["metric"],
                                                                     want["result"])
        for column in ("value", "limit", "minor_limit"):
            if want[column] is None:
                assert math.isnan(row[column])
            else:  # csv_number: 6 significant digits
                assert row[column] == pytest.approx(want[column], rel=5e-6, abs=1e-12), column


def test_dose_image_geometry_and_lifetime(patient):
    plan = sbrtkit.load_plan(str(patient / "planning"))
    image = plan.dose
    array = image.array
    assert array.shape == image.shape and array.dtype == np.float32 and not array.flags.writeable
    nz, ny, nx = array.shape
    assert image.size == (nx, ny, nz)
    # The affine maps index (i, j, k) to patient mm: origin + direction @ (spacing * index).
    a = image.affine
    assert np.allclose(a[:3, 3], image.origin)
    assert np.allclose(a[:3, :3], np.asarray(image.direction) * np.asarray(image.spacing))
    assert np.allclose(np.asarray(image.direction).T @ np.asarray(image.direction), np.eye(3))
    expected_max = plan.dvh(rois=["BODY"], metrics=["Max[Gy]"]).to_pandas().iloc[0, 0]
    total = float(array.sum(dtype=np.float64))
    del plan, image
    gc.collect()
    # The array still reads the engine's memory: same sum, and its max bounds the BODY's Max (trilinear
    # interpolation never exceeds the largest grid value).
    assert float(array.sum(dtype=np.float64)) == total
    assert float(array.max()) >= expected_max - 1e-6 and total > 0


def test_explicit_files_read_the_same_plan(patient, plan):
    files = {"rtstruct": patient / "planning/rtstruct.dcm", "rtdose": patient / "planning/rtdose.dcm",
             "rtplan": patient / "planning/rtplan.dcm"}
    other = sbrtkit.load_plan(files)
    assert other.prescription_gy == plan.prescription_gy
    assert [s["name"] for s in other.structures] == [s["name"] for s in plan.structures]


def test_a_missing_folder_raises_io_error_naming_it(tmp_path):
    missing = tmp_path / "no_such_patient"
    with pytest.raises(sbrtkit.IoError) as caught:
        sbrtkit.load_plan(str(missing))
    assert str(missing) in str(caught.value)
    assert isinstance(caught.value, sbrtkit.SbrtkitError)


def test_a_text_file_as_rtdose_raises_not_dicom_naming_it(patient, tmp_path):
    fake = tmp_path / "dose.dcm"
    fake.write_text("not a DICOM file\n")
    with pytest.raises(sbrtkit.NotDicomError) as caught:
        sbrtkit.load_plan({"rtstruct": patient / "planning/rtstruct.dcm", "rtdose": fake})
    assert str(fake) in str(caught.value) and caught.value.file == str(fake)


def test_a_bad_metric_raises_bad_metric_naming_it(plan):
    with pytest.raises(sbrtkit.BadMetricError) as caught:
        plan.dvh(metrics=["D95%[Gy]", "D95x"])
    assert "D95x" in str(caught.value)


def test_an_unknown_roi_and_bad_keys_raise_bad_argument(plan, patient):
    with pytest.raises(sbrtkit.BadArgumentError):
        plan.dvh(rois=["PTV_L3"]).curve("NoSuchROI")
    with pytest.raises(sbrtkit.BadArgumentError) as caught:
        sbrtkit.load_plan({"rtdos": patient / "planning/rtdose.dcm"})
    assert "rtdos" in str(caught.value)


def test_the_gil_is_released_while_the_engine_computes(plan):
    """Another Python thread runs during plan.dvh(): it samples the clock in a loop, and some samples fall in
    the middle third of the call (with the GIL held through the C++ call, none could)."""
    import threading
    import time
    span = {}

    def compute():
        span["start"] = time.perf_counter()
        plan.dvh()
        span["end"] = time.perf_counter()

    worker = threading.Thread(target=compute)
    samples = []
    worker.start()
    while worker.is_alive():
        samples.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    third = (span["end"] - span["start"]) / 3
    assert third > 0.01, "the DVH took too little time to tell"
    middle = [t for t in samples if span["start"] + third <= t <= span["end"] - third]
    assert len(middle) > 0
