#!/usr/bin/env bash
# Runs every test: installs what the tests need, builds, runs unit and integration tests,
# and ends with the line "N passed, N failed, N skipped".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 OMP_THREAD_LIMIT=1

# System packages: the launcher's, plus the tools tests use to make fixtures.
DOCFLOW_SETUP_ONLY=1 DOCFLOW_EXTRA_PACKAGES="qpdf imagemagick redis-server postgresql chromium" ./docflow || { echo "test.sh: setup failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }

# Node.js runs s3rver, the S3-compatible server the blob-store tests talk to (tools/s3rver, pinned by its lockfile).
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
if [ ! -d tools/s3rver/node_modules/s3rver ]; then
  (cd tools/s3rver && npm ci --no-audit --no-fund --silent) || { echo "test.sh: npm ci in tools/s3rver failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi
# The Kubernetes schemas (kubernetes-models, KEDA and Prometheus operator CRDs) the Deploy schema test validates against.
if [ ! -d tools/k8s-validate/node_modules/kubernetes-models ]; then
  (cd tools/k8s-validate && npm ci --no-audit --no-fund --silent) || { echo "test.sh: npm ci in tools/k8s-validate failed"; echo "0 passed, 1 failed, 0 skipped"; exit 1; }
fi

if ! dotnet build DocFlow.slnx -c Release -v quiet -nologo > .build-tests.log 2>&1; then
  cat .build-tests.log
  echo "test.sh: build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

RESULTS="$ROOT/TestResults"
rm -rf "$RESULTS"
status=0
for project in tests/DocFlow.UnitTests tests/DocFlow.IntegrationTests; do
  name=$(basename "$project")
  echo "== $name"
  dotnet test "$project" -c Release --no-build --nologo -v quiet \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
    --results-directory "$RESULTS" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$RESULTS"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  # Skipped tests are in the total but not executed (the notExecuted counter stays 0 for them).
  skipped=$((skipped + $(get total) - $(get executed)))
done
# The failed tests again, with the first lines of their messages, just above the summary line (a CI log's tail shows them).
if [ "$failed" -gt 0 ]; then
  echo "== failed tests"
  for trx in "$RESULTS"/*.trx; do
    [ -f "$trx" ] || continue
    if [ -x /usr/bin/python3 ]; then
      /usr/bin/python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") in ("Passed", "NotExecuted"): continue
    print(f"FAILED {r.get('testName')} [{r.get('duration')}]")
    for tag in ("Message", "StackTrace"):
        e = r.find(f".//t:ErrorInfo/t:{tag}", ns)
        if e is not None and e.text:
            for line in e.text.strip().splitlines()[:12]: print("    " + line)
PY
    else
      grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/FAILED \1/p'
    fi
  done
fi
if [ $((passed + failed + skipped)) -eq 0 ]; then failed=1; status=1; echo "test.sh: no test ran"; fi
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit $status
