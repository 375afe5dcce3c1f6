#!/bin/bash
# Replays iteration K+1 of a finished run from its checkpoint iter-K, with the metrics of the build at hand (for example GiGPO's
# per-level advantage magnitudes, which older runs did not record). Resuming is exact, so every metric both builds record must come
# out equal to the run's own; compare them with the run's metrics.jsonl.
#
#   eng/diagnostics/replay-iteration.sh RUN K OUT [gigpo.dll]
#
# RUN: a run folder with configuration.json and checkpoints/iter-K (e.g. a grid cell); OUT: a new folder. Only iteration K+1 runs,
# then an evaluation on one task (the trainer always evaluates at the end). Needs a built CLI (default src/Cli/bin/Release/net10.0).
set -euo pipefail
run=$1; k=$2; out=$3; cli=${4:-src/Cli/bin/Release/net10.0/gigpo.dll}
checkpoint=$(printf "iter-%06d" "$k")
[ -d "$run/checkpoints/$checkpoint" ] || { echo "$run/checkpoints/$checkpoint does not exist; give an iteration that run saved." >&2; exit 2; }
[ -e "$out" ] && { echo "$out exists; give a new folder." >&2; exit 2; }
mkdir -p "$out/checkpoints"
cp -r "$run/checkpoints/$checkpoint" "$out/checkpoints/"
# Runs written before derived values were left out of configuration.json carry them; they are not settings.
python3 - "$run/configuration.json" "$out.settings.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for key in ("Enabled", "Targets"):
    d.get("Policy", {}).get("Lora", {}).pop(key, None)
for options in d.get("Algorithms", {}).values():
    for key in ("EffectiveEpisodeMode", "EffectiveStepMode"):
        options.pop(key, None)
json.dump(d, open(sys.argv[2], "w"), indent=2)
EOF
dotnet "$cli" train --settings "$out.settings.json" --Training:Iterations=$((k + 1)) --Training:EvaluationInterval=0 \
  --Training:EvaluationTasks=1 --Training:CheckpointInterval=0 --WarmStart:CacheDirectory= --Training:OutputDirectory="$out"
