#!/usr/bin/env bash
# `make demo`: the main job on the bundled sample patient. Generates the clinical-size synthetic patient
# once (git-ignored), runs every sbrtkit capability on it and leaves the outputs in out/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
SBRTKIT="$BUILD/bin/sbrtkit"
PATIENT=sample-data/generated/mcrpc-clinical-seed1
OUT=out/demo
mkdir -p "$OUT"

if [ -f "$PATIENT/ground_truth.json" ]; then
  echo "== sample patient: $PATIENT (already generated)"
else
  echo "== generating the sample patient into $PATIENT"
  "$SBRTKIT" phantom --out "$PATIENT" --size clinical --seed 1 | tee "$OUT/phantom.txt"
fi

echo
echo "== sbrtkit dvh $PATIENT/planning"
start=$(date +%s%N)
"$SBRTKIT" dvh "$PATIENT/planning" | tee "$OUT/dvh.txt"
"$SBRTKIT" dvh "$PATIENT/planning" --format json --dvh-curves -o "$OUT/dvh.json"
"$SBRTKIT" dvh "$PATIENT/planning" --format csv -o "$OUT/dvh.csv" \
  --metrics "Volume[cc],Mean[Gy],D98%[Gy],D95%[Gy],D2%[Gy],D0.03cc[Gy],V100%[%],D0.35cc[Gy],D5cc[Gy]"
end=$(date +%s%N)
"$SBRTKIT" report "$PATIENT/planning" --protocol tg101-3fx -o "$OUT/report.html" || [ $? -eq 1 ]  # 1: major deviation (by design)
"$SBRTKIT" response --plan "$PATIENT/planning" --baseline "$PATIENT/baseline/pet" --followup "$PATIENT/followup/pet" --out "$OUT/response" | tee "$OUT/response.txt"

echo
echo "== dvh (three runs) done in $(( (end - start) / 1000000 )) ms. Outputs in $OUT/:"
ls -1 "$OUT" | sed 's/^/   /'
