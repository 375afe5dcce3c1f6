#!/usr/bin/env bash
# GiGPO.NET's GPU checks, on a machine with an NVIDIA GPU, a Python whose torch was built for CUDA, and neither .NET nor a network.
# Brought along: the bundle of eng/gpu/pack.sh (a .NET runtime, the CLI and bench published with TorchBackend=external) and a
# libLibTorchSharp.so built against this machine's libtorch at the TorchSharp version in the bundle's manifest (--glue).
#
#   eng/gpu/run.sh OUT_DIR --glue FILE [--bundle DIR] [--libtorch DIR] [--python PATH] [--device cuda] [--dtype bfloat16]
#                          [--shape qwen2.5-0.5b] [--quick] [--skip-pytorch] [--work DIR]
#
# OUT_DIR receives seven files: report.md, run.log, train-parity.md, train-cpu.csv and train-device.csv (both runs' metrics.csv),
# dotnet-figures.json, pytorch-figures.json. The unpacked runtime and app and the training runs go to --work (default: a new temporary folder).
#
# Steps (each says what it found; the first that fails says why and what to do, and the script exits 1):
#   1 machine      GPU, driver, python and its torch (version, CUDA)
#   2 libtorch     the folder of torch's shared libraries (default: python's torch/lib)
#   3 glue         --glue exists and every library it needs resolves with that folder (ldd)
#   4 runtime      the bundle's .NET runtime and app, unpacked into the work folder
#   5 load         TorchSharp loads the glue and libtorch, sees the device, and a matmul there equals the CPU's (bench device-info)
#   6 train        gigpo train on the main job's settings, a short warm start and 2 iterations, on the CPU and on the device, in float32;
#                  the first iteration's metrics must agree to float tolerance (compare.py metrics)
#   7 figures      bench device-figures: a Qwen2.5-0.5B-shaped policy, one update on 8 x 1,024 tokens (full and LoRA), generation of
#                  64 prompts x 256 new tokens with the KV cache (sampled and greedy); tokens/s and peak GPU memory
#   8 pytorch      eng/gpu/pytorch_reference.py: the same phases in plain PyTorch, in the same run
#   9 report       OUT_DIR/report.md: both tables side by side, with the time ratio TorchSharp/PyTorch
# --quick runs the same steps on a tiny shape and a tiny training run (how the CPU machine's tests run the script with --device cpu).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=""; glue=${GIGPO_LIBTORCHSHARP:-}; bundle="$repo/out/gpu-bundle"; libtorch=""; python=python3; work=""
device=cuda; dtype=bfloat16; shape=qwen2.5-0.5b; quick=0; skip_pytorch=0
usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
  case $1 in
    --glue) glue=$2; shift 2 ;;
    --bundle) bundle=$2; shift 2 ;;
    --libtorch) libtorch=$2; shift 2 ;;
    --python) python=$2; shift 2 ;;
    --device) device=$2; shift 2 ;;
    --dtype) dtype=$2; shift 2 ;;
    --shape) shape=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    --skip-pytorch) skip_pytorch=1; shift ;;
    --work) work=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "run.sh: unknown option '$1'." >&2; usage >&2; exit 2 ;;
    *) [[ -z $out ]] || { echo "run.sh: one OUT_DIR only ('$out', then '$1')." >&2; exit 2; }; out=$1; shift ;;
  esac
done
[[ -n $out ]] || { echo "run.sh: give the folder for the results, e.g. eng/gpu/run.sh \$OUT --glue build/libLibTorchSharp.so" >&2; exit 2; }
mkdir -p "$out" && out=$(cd "$out" && pwd)
work=${work:-$(mktemp -d "${TMPDIR:-/tmp}/gigpo-gpu-work.XXXXXX")}
mkdir -p "$work" && work=$(cd "$work" && pwd)
log="$out/run.log"
: >"$log"
started=$SECONDS
step=0
say() { echo "$*" | tee -a "$log"; }
begin() { step=$1; say ""; say "== step $1: $2 ($((SECONDS - started)) s)"; }
fail() { say "FAILED at step $step: $*"; exit 1; }
# Runs a command with a time limit, its output into the log and onto the screen.
run() { local limit=$1; shift; timeout "$limit" "$@" 2>&1 | tee -a "$log"; return "${PIPESTATUS[0]}"; }
if ((quick)); then shape=tiny; fi

begin 1 "machine"
say "$(uname -srm); $(nproc) cores"
if [[ $device == cuda* ]]; then
  command -v nvidia-smi >/dev/null || fail "--device $device, but nvidia-smi is not on PATH: no NVIDIA driver here. Use --device cpu for a CPU-only check."
  run 30 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || fail "nvidia-smi could not query the GPU."
fi
# Python's torch is needed for its libtorch (unless --libtorch names one) and for the PyTorch side (unless --skip-pytorch).
needs_torch=$(( ${#libtorch} == 0 || skip_pytorch == 0 ))
torch_line="(not used)"
if ((needs_torch)); then
  command -v "$python" >/dev/null || fail "no '$python' here; give the Python that has torch with --python."
  torch_line=$("$python" -c 'import torch; print(torch.__version__, torch.version.cuda, torch.cuda.is_available())' 2>&1) \
    || fail "'$python' cannot import torch: $torch_line. Give the Python that has torch with --python, or --libtorch DIR and --skip-pytorch."
  say "python: $("$python" --version 2>&1); torch, CUDA, CUDA available: $torch_line"
  if [[ $device == cuda* && $torch_line != *True ]]; then fail "torch sees no CUDA device, so libtorch will not either."; fi
fi

begin 2 "libtorch"
if [[ -z $libtorch ]]; then
  libtorch=$("$python" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))') || fail "cannot locate torch's lib folder; give it with --libtorch."
fi
for lib in libtorch.so libtorch_cpu.so libc10.so; do
  [[ -e $libtorch/$lib ]] || fail "$libtorch has no $lib: it is not a libtorch folder. Give one with --libtorch."
done
if [[ $device == cuda* ]]; then [[ -e $libtorch/libtorch_cuda.so ]] || fail "$libtorch has no libtorch_cuda.so: this libtorch was built without CUDA."; fi
say "libtorch: $libtorch"
# CUDA's own libraries (cudart for the memory meter, cuBLAS, cuDNN) come from the nvidia-* wheels beside torch, when there are any.
cuda_libs=$(find "$(dirname "$(dirname "$libtorch")")/nvidia" -maxdepth 3 -name lib -type d 2>/dev/null | tr '\n' ':')

begin 3 "glue"
[[ -n $glue ]] || fail "no --glue: give libLibTorchSharp.so built against this libtorch, at TorchSharp $(sed -n 's/^torchsharp=//p' "$bundle/manifest.txt" 2>/dev/null || echo '(see the bundle manifest)'), with TorchSharp's own CMake build of src/Native (eng/gpu/README.md)."
[[ -f $glue ]] || fail "--glue $glue does not exist. Build it first (eng/gpu/README.md)."
glue=$(cd "$(dirname "$glue")" && pwd)/$(basename "$glue")
glue_dir="$work/glue"
mkdir -p "$glue_dir" && cp "$glue" "$glue_dir/libLibTorchSharp.so"
export LD_LIBRARY_PATH="$glue_dir:$libtorch:$cuda_libs${LD_LIBRARY_PATH:-}"
# A library that is not found, or a version need that is not met (a weak one only warns: the loader accepts it), stops here.
missing=$(ldd "$glue_dir/libLibTorchSharp.so" 2>&1 | grep -E "not found|not a dynamic" | grep -v "weak version" || true)
[[ -z $missing ]] || fail "the glue needs libraries that are not here: $missing. Was it built against this libtorch ($libtorch)?"
say "glue: $glue (all its libraries resolve)"

begin 4 "runtime"
for f in dotnet-runtime.tar.xz gigpo-app.tar.xz manifest.txt; do
  [[ -f $bundle/$f ]] || fail "the bundle $bundle has no $f; make it with eng/gpu/pack.sh on a machine with the .NET SDK, and bring it along."
done
(cd "$bundle" && sed -n 's/^sha256 //p' manifest.txt | sha256sum --check --quiet) || fail "the bundle's archives do not match their manifest: pack them again."
rm -rf "$work/dotnet" "$work/app" && mkdir -p "$work/dotnet"
tar -C "$work/dotnet" -xJf "$bundle/dotnet-runtime.tar.xz" || fail "could not unpack the .NET runtime (disk full?)."
tar -C "$work" -xJf "$bundle/gigpo-app.tar.xz" || fail "could not unpack the app."
export DOTNET_ROOT="$work/dotnet" PATH="$work/dotnet:$PATH" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
app="$work/app"
say "unpacked into $work"
say "$(dotnet --list-runtimes | tr '\n' ';') app: $(sed -n 's/^commit=//p' "$bundle/manifest.txt")"

begin 5 "load"
run 120 dotnet "$app/GiGpoNet.Benchmarks.dll" device-info --device "$device" \
  || fail "TorchSharp did not load the glue and libtorch, or the device failed (above). The glue must be built against $libtorch."

begin 6 "train"
train_args=(--Training:Iterations=2 --Training:EvaluationInterval=0 --Training:CheckpointInterval=0 --WarmStart:Episodes=40 --WarmStart:Epochs=1
  --Backend:Dtype=float32)
((quick)) && train_args=(--Training:Iterations=1 --Training:EvaluationInterval=0 --Training:CheckpointInterval=0 --WarmStart:Episodes=4 --WarmStart:Epochs=1
  --Training:Groups=2 --Training:GroupSize=2 --Rollout:MaxSteps=4 --Backend:Dtype=float32)
for side in cpu device; do
  where=$([[ $side == cpu ]] && echo cpu || echo "$device")
  rm -rf "$work/train-$side"
  (cd "$repo" && run 300 dotnet "$app/gigpo.dll" train "${train_args[@]}" --Backend:Device="$where" --Training:OutputDirectory="$work/train-$side") \
    || fail "gigpo train on $where failed (above)."
  cp "$work/train-$side/metrics.csv" "$out/train-$side.csv"
done
run 30 python3 "$here/compare.py" metrics "$out/train-cpu.csv" "$out/train-device.csv" >"$out/train-parity.md"; parity=$?
cat "$out/train-parity.md" | tee -a "$log"
((parity == 0)) || say "(the first iteration's metrics differ beyond float tolerance: reported in train-parity.md; the figures still run)"

begin 7 "figures (TorchSharp)"
figure_args=(--device "$device" --dtype "$dtype" --shape "$shape")
((quick)) && figure_args+=(--rows 2 --tokens 64 --response-tokens 16 --prompts 4 --prompt-tokens 8 --new-tokens 8 --repeats 1)
run 300 dotnet "$app/GiGpoNet.Benchmarks.dll" device-figures "${figure_args[@]}" --json "$out/dotnet-figures.json" || fail "device-figures failed (above)."

begin 8 "figures (PyTorch)"
if ((skip_pytorch)); then
  say "skipped (--skip-pytorch)"
else
  run 300 "$python" "$here/pytorch_reference.py" "${figure_args[@]}" --json "$out/pytorch-figures.json" || fail "pytorch_reference.py failed (above)."
fi

begin 9 "report"
{
  echo "# GiGPO.NET GPU checks, $(date -u +%Y-%m-%d)"
  echo
  echo "Machine: $(nvidia-smi --query-gpu=name,driver_version --format=csv,noheader 2>/dev/null || echo "$(nproc) CPU cores"); torch $torch_line; bundle $(sed -n 's/^commit=//p' "$bundle/manifest.txt")"
  echo
  echo "## gigpo train, CPU vs $device (first iteration)"
  echo
  cat "$out/train-parity.md"
  echo
  echo "## Update and generation throughput"
  echo
  if [[ -f $out/pytorch-figures.json ]]; then python3 "$here/compare.py" figures "$out/dotnet-figures.json" "$out/pytorch-figures.json"
  else cat "$out/dotnet-figures.json"; fi
} >"$out/report.md" || fail "could not write the report."
cat "$out/report.md" | tee -a "$log"
say ""
say "done in $((SECONDS - started)) s; results in $out (report.md, run.log, train-parity.md, both runs' metrics, the figures' JSON); work in $work"
((parity == 0)) || exit 1
