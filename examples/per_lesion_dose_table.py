#!/usr/bin/env python3
"""Per-lesion dose table of a patient: each baseline PET lesion with its SUVmax, MTV, D98, covering PTV and
response status, as CSV, and a scatter of D98 against the uptake change (when matplotlib is installed).

    PYTHONPATH=build/python python3 examples/per_lesion_dose_table.py PATIENT OUT_DIR

PATIENT holds planning/, baseline/pet/ and followup/pet/ (as `sbrtkit phantom --out PATIENT` writes).
"""
import pathlib
import sys
import warnings

import sbrtkit


def per_lesion_table(patient):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", sbrtkit.SbrtkitWarning)
        response = sbrtkit.response(patient / "planning", patient / "baseline/pet", patient / "followup/pet")
    for w in caught:
        print(f"warning: {w.message}", file=sys.stderr)
    lesions = response.baseline.table  # baseline lesions (ids 1..n), with their planned dose
    calls = response.table             # one row per follow-up lesion or vanished baseline lesion
    table = lesions[["id", "name", "suv_max", "mtv_cc", "d98_gy", "covering_ptv"]].copy()
    table["baseline"] = "B" + table["id"].astype(str)
    matched = calls[calls["baseline"] != ""][["baseline", "status", "uptake_change_pct"]]
    table = table.merge(matched, on="baseline", how="left").drop(columns="baseline")
    return table.rename(columns={"id": "lesion"})


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    patient, out = pathlib.Path(argv[1]), pathlib.Path(argv[2])
    out.mkdir(parents=True, exist_ok=True)
    table = per_lesion_table(patient)
    table.to_csv(out / "per_lesion_dose.csv", index=False)
    print(table.to_string(index=False))
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (python3-matplotlib): skipping the scatter plot")
        return 0
    figure, axes = plt.subplots(figsize=(5, 4))
    axes.scatter(table["d98_gy"], table["uptake_change_pct"])
    for _, row in table.iterrows():
        axes.annotate(str(row["lesion"]), (row["d98_gy"], row["uptake_change_pct"]))
    axes.set_xlabel("D98 [Gy]")
    axes.set_ylabel("SUVmax change [%]")
    figure.tight_layout()
    figure.savefig(out / "dose_vs_uptake_change.png", dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
