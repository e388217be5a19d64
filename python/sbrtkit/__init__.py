"""sbrtkit from Python: the C++ engine of the sbrtkit CLI (same numbers), with pandas and numpy.

    import sbrtkit
    plan = sbrtkit.load_plan("patient/")            # folder, or {"rtstruct": ..., "rtdose": ..., "rtplan": ...}
    plan.dvh(metrics=["D95%[Gy]", "V20Gy[cc]"]).to_pandas()   # one row per ROI, one column per metric
    dose, volume = plan.dvh().curve("PTV")            # cumulative DVH as numpy arrays
    plan.qa(); plan.check("rtog0915")                 # DataFrames with the CSV outputs' columns
    img = plan.dose                                   # sbrtkit.Image: .array[z, y, x], .affine (LPS mm)
    sbrtkit.dvh_of(my_mask, img).metric("D98%[Gy]")   # DVH of your own numpy occupancy array
    les = sbrtkit.lesions("patient/planning", "patient/baseline/pet", segment="percent")
    les.table; les.suv; les.labels                    # DataFrame (lesions.csv), SUV and label-map Images
    sbrtkit.response("patient/planning", "patient/baseline/pet", "patient/followup/pet").table

Errors raise subclasses of SbrtkitError (IoError, NotDicomError, MissingTagError, BadValueError,
UnsupportedError, InconsistentError, BadArgumentError, BadMetricError), one per kind of the C++ Error,
with .file and .tag; the engine's warnings go through `warnings` as SbrtkitWarning. The GIL is released
while the engine computes (OpenMP threads as in the CLI: OMP_NUM_THREADS).
"""
from ._sbrtkit import (  # noqa: F401
    __version__,
    SbrtkitError, IoError, NotDicomError, MissingTagError, BadValueError, UnsupportedError,
    InconsistentError, BadArgumentError, BadMetricError, SbrtkitWarning,
    Image, Plan, DvhResult, RegionDvh, LesionsResult, ResponseResult, load_plan, dvh_of, lesions, response,
)

__all__ = [
    "SbrtkitError", "IoError", "NotDicomError", "MissingTagError", "BadValueError", "UnsupportedError",
    "InconsistentError", "BadArgumentError", "BadMetricError", "SbrtkitWarning",
    "Image", "Plan", "DvhResult", "RegionDvh", "LesionsResult", "ResponseResult", "load_plan", "dvh_of",
    "lesions", "response", "frame_from_csv",
]


def frame_from_csv(text):
    """A DataFrame of one of sbrtkit's CSV outputs: a column is numeric when every non-empty cell is a number
    (empty cells become NaN), else text (empty cells stay ""), so names such as "NA" are kept as written."""
    import io
    import pandas as pd
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for column in frame.columns:
        cells = frame[column]
        filled = cells[cells != ""]
        if filled.empty:
            continue
        if filled.isin(["true", "false"]).all():
            frame[column] = cells.map({"true": True, "false": False, "": None})
            continue
        numbers = pd.to_numeric(filled, errors="coerce")
        if numbers.notna().all():
            converted = pd.to_numeric(cells.mask(cells == ""))
            if (numbers % 1 == 0).all() and len(filled) == len(cells):
                converted = converted.astype("int64")
            frame[column] = converted
    return frame


def _qa(self, targets=None, body=None, alpha_beta=None):
    """SBRT plan-quality indices per target (CI, GI, R50%, D2cm, HI, ...) as a DataFrame: the columns and rows
    of `sbrtkit qa --format csv`, parsed from the text that writer produces (its 6 significant digits).
    targets: names or ROI numbers (default every PTV); body: the body ROI (default the EXTERNAL one);
    alpha_beta: Gy, adds BED/EQD2."""
    return frame_from_csv(self.qa_csv(targets, body, alpha_beta))


def _check(self, protocol):
    """The plan against a protocol (a bundled id such as "mdt-ompc", or a YAML file) as a DataFrame: the
    columns and rows of `sbrtkit check --format csv`, parsed from the text that writer produces."""
    return frame_from_csv(self.check_csv(protocol))


Plan.qa = _qa
Plan.check = _check


LesionsResult.table = property(lambda self: frame_from_csv(self.csv()),
                               doc="One row per lesion: the columns and rows of lesions.csv, as a DataFrame.")
ResponseResult.table = property(lambda self: frame_from_csv(self.csv()),
                                doc="One row per lesion: the columns and rows of response.csv, as a DataFrame.")
