#!/usr/bin/env bash
# Fuzzes one DocFlow decoder with afl++ and SharpFuzz for a while, on one core.
#   tools/fuzz/run.sh TARGET MINUTES     targets: sniff, image-headers, pdf-preflight, pdf-text, pdf-image
#   tools/fuzz/run.sh min TARGET INPUT OUTPUT   minimise a finding with afl-tmin (same build and settings)
# Findings go to tools/fuzz/findings/TARGET/default/{crashes,hangs} (git-ignored; an earlier run's folder is kept
# beside it with a time stamp). Replay one without afl:
#   dotnet tools/fuzz/.work/out/DocFlow.Fuzz.dll replay TARGET FILE
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
work="$here/.work"
out="$work/out"
targets="sniff image-headers pdf-preflight pdf-text pdf-image"

usage() { echo "usage: $0 TARGET MINUTES | $0 min TARGET INPUT OUTPUT   (targets: $targets)" >&2; exit 2; }

mode=fuzz
if [[ "${1:-}" == min ]]; then
  [[ $# -eq 4 ]] || usage
  mode=min; target="$2"; input="$3"; output="$4"
else
  [[ $# -eq 2 && "$2" =~ ^[0-9]+$ && "$2" -gt 0 ]] || usage
  target="$1"; minutes="$2"
fi
# selftest (not a decoder) checks the plumbing: run.sh min selftest FILE OUT with a file starting "throw", "overflow" or "hang".
[[ " $targets selftest " == *" $target "* ]] || usage

# afl++ from Debian, installed here (CI and fresh machines have nothing by hand).
if ! command -v afl-fuzz >/dev/null || ! command -v afl-tmin >/dev/null; then
  echo "installing afl++ (apt-get)..."
  apt-get install -y -qq afl++ >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq afl++ >/dev/null; }
fi

# Build, then instrument DocFlow.Engine and PdfPig in the published copy (in place; a fresh copy each run).
cd "$repo"
dotnet tool restore >/dev/null
rm -rf "$out"
dotnet publish "$here/DocFlow.Fuzz.csproj" -c Release -o "$out" -v quiet -nologo >/dev/null
for dll in "$out"/DocFlow.Engine.dll "$out"/UglyToad.PdfPig*.dll; do
  dotnet tool run sharpfuzz "$dll" >/dev/null
done
echo "instrumented: $(cd "$out" && ls DocFlow.Engine.dll UglyToad.PdfPig*.dll | tr '\n' ' ')"

# afl++ and the target process: no UI, one core, no CPU-governor check, the .NET fork server is not an afl binary.
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1
# A memory bomb must surface as an OutOfMemoryException (a finding), not take the machine: the issue's bar is 1.5 GB.
export DOTNET_GCHeapHardLimit=0x60000000
# The harness stops an input that runs past DOCFLOW_FUZZ_TIMEOUT_MS (the child is killed: a crash to afl, and a copy in
# findings/TARGET/harness/hangs); afl's own limit is looser because it includes restarting the .NET child.
export DOCFLOW_FUZZ_TIMEOUT_MS="${DOCFLOW_FUZZ_TIMEOUT_MS:-3000}"
afl_timeout=$((DOCFLOW_FUZZ_TIMEOUT_MS * 5))

if [[ $mode == min ]]; then
  afl-tmin -i "$input" -o "$output" -t "$afl_timeout" -m none -- dotnet "$out/DocFlow.Fuzz.dll" "$target"
  echo "minimised: $(stat -c %s "$input") -> $(stat -c %s "$output") bytes: $output"
  exit 0
fi

findings="$here/findings/$target"
if [[ -d "$findings" ]]; then mv "$findings" "$findings-$(date -u +%Y%m%dT%H%M%S)"; fi
mkdir -p "$here/findings"
# Inputs that killed the child (stack overflow, out of memory) or hung it, as the harness saw them.
export DOCFLOW_FUZZ_FINDINGS="$findings/harness"
echo "fuzzing $target for $minutes min (corpus: tools/fuzz/corpus/$target, findings: tools/fuzz/findings/$target)"
set +e
afl-fuzz -i "$here/corpus/$target" -o "$findings" -t "$afl_timeout" -m none -V $((minutes * 60)) \
  -- dotnet "$out/DocFlow.Fuzz.dll" "$target" >"$work/afl-$target.log" 2>&1
status=$?
set -e
stats="$findings/default/fuzzer_stats"
if [[ ! -f "$stats" ]]; then
  tail -30 "$work/afl-$target.log" >&2
  echo "afl-fuzz did not start (exit $status); log: $work/afl-$target.log" >&2
  exit 1
fi
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes="$(field saved_crashes)"; hangs="$(field saved_hangs)"
echo "$target: $(field run_time) s, execs $(field execs_done) ($(field execs_per_sec)/s), paths $(field corpus_count)," \
     "crashes ${crashes:-$(field unique_crashes)}, hangs ${hangs:-$(field unique_hangs)}"
for kind in crashes hangs; do
  ls "$findings/default/$kind" 2>/dev/null | grep -v README | sed "s|^|  $kind/|" || true
done
for kind in deaths hangs; do
  ls "$findings/harness/$kind" 2>/dev/null | sed "s|^|  harness/$kind/|" || true
done
