#!/usr/bin/env bash
# Packs what a GPU machine without .NET and without a network needs to run GiGPO.NET's GPU checks (eng/gpu/run.sh): a compressed .NET
# runtime (the host, Microsoft.NETCore.App and Microsoft.AspNetCore.App of this SDK) and the CLI and bench, published framework-dependent
# for linux-x64 with TorchBackend=external (no libtorch of their own: the GPU machine's PyTorch provides it).
#
#   eng/gpu/pack.sh [BUNDLE_DIR]        default: out/gpu-bundle (ignored by git)
#
# Runs where the .NET SDK is (this machine, CI). The bundle must travel in 64 MiB with the working tree; it says its size and refuses more.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
bundle=$(mkdir -p "${1:-$repo/out/gpu-bundle}" && cd "${1:-$repo/out/gpu-bundle}" && pwd)
limit_mib=${GIGPO_BUNDLE_LIMIT_MIB:-56}
fail() { echo "pack.sh: $*" >&2; exit 1; }

command -v dotnet >/dev/null || fail "the .NET SDK is not on PATH; install .NET 10 to pack the bundle."
command -v xz >/dev/null || fail "xz is not installed (apt-get install xz-utils)."
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
newest() { dotnet --list-runtimes | awk -v n="$1" '$1 == n && $2 ~ /^10\./ { v = $2 } END { print v }'; }
netcore=$(newest Microsoft.NETCore.App)
aspnet=$(newest Microsoft.AspNetCore.App)
[[ -n $netcore && -n $aspnet ]] || fail "no .NET 10 runtime (Microsoft.NETCore.App and Microsoft.AspNetCore.App) under $dotnet_root."
torchsharp=$(sed -n 's/.*PackageVersion Include="TorchSharp" Version="\([^"]*\)".*/\1/p' "$repo/Directory.Packages.props")

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
echo "pack.sh: publishing the CLI and the bench (Release, linux-x64, framework-dependent, TorchBackend=external)"
for project in src/Cli bench/GiGpoNet.Benchmarks; do
  # Their own artifacts folder: the publish restores another native backend, and must not touch the working tree's obj/ and bin/.
  dotnet publish "$repo/$project" -c Release -r linux-x64 --self-contained false -p:TorchBackend=external -p:PublishReadyToRun=false \
    --artifacts-path "$stage/artifacts" -o "$stage/app" -nologo -v quiet >"$stage/publish.log" 2>&1 \
    || { cat "$stage/publish.log" >&2; fail "dotnet publish $project failed (its output is above)."; }
done
if ls "$stage/app" | grep -qE '^lib(torch|c10|LibTorchSharp)'; then fail "the publish holds a libtorch of its own; TorchBackend=external was not honoured."; fi
rm -f "$stage"/app/*.pdb "$stage"/app/*.xml

echo "pack.sh: compressing the .NET runtime $netcore (ASP.NET Core $aspnet) from $dotnet_root and the app"
tar -C "$dotnet_root" -cf - dotnet host/fxr/"$netcore" shared/Microsoft.NETCore.App/"$netcore" shared/Microsoft.AspNetCore.App/"$aspnet" \
  $(cd "$dotnet_root" && ls LICENSE.txt ThirdPartyNotices.txt 2>/dev/null) | xz -T2 -6 >"$bundle/dotnet-runtime.tar.xz"
tar -C "$stage" -cf - app | xz -T2 -6 >"$bundle/gigpo-app.tar.xz"
{
  echo "dotnet_runtime=$netcore"
  echo "aspnetcore_runtime=$aspnet"
  echo "torchsharp=$torchsharp"
  echo "commit=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo '+changes')"
  echo "packed=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  (cd "$bundle" && sha256sum dotnet-runtime.tar.xz gigpo-app.tar.xz | sed 's/^/sha256 /')
} >"$bundle/manifest.txt"
size=$(du -cb "$bundle"/*.tar.xz | awk 'END { print $1 }')
echo "pack.sh: $bundle: dotnet-runtime.tar.xz $(du -h "$bundle/dotnet-runtime.tar.xz" | cut -f1), gigpo-app.tar.xz $(du -h "$bundle/gigpo-app.tar.xz" | cut -f1), $((size / 1048576)) MiB in all"
(( size <= limit_mib * 1048576 )) || fail "the bundle is $((size / 1048576)) MiB, over the $limit_mib MiB that leave room for the working tree in 64 MiB."
