#!/bin/sh
# Prepares, on this machine, what the GPU device run carries (see bench/gpu/README.md), in two
# git-ignored folders of the repository root:
#   .gpu/fcos_gpu.js  the bench entry (bench/gpu/entry.ts) bundled into one file (≈2.4 MB)
#   .gpu/deno.xz      this Deno binary, xz-compressed (≈31 MB; the device has no Deno)
#   .gl/*.deb         the Vulkan loader and GL dispatch libraries (the device image has none);
#                     fetched once with apt-get (skipped when .gl/ already holds them)
# Usage, from the repository root: sh bench/gpu/build.sh
set -eu
cd "$(dirname "$0")/../.."
mkdir -p .gpu
deno bundle -q -o .gpu/fcos_gpu.js bench/gpu/entry.ts
deno_bin=$(deno eval -q 'console.log(Deno.execPath())')
if [ ! -f .gpu/deno.xz ] || [ "$deno_bin" -nt .gpu/deno.xz ]; then
  xz -T0 -6 -c "$deno_bin" > .gpu/deno.xz.tmp && mv .gpu/deno.xz.tmp .gpu/deno.xz
fi
deno --version | head -1 > .gpu/deno.version
if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  # The recipe of the device notes: amd64 packages, whatever this machine's architecture.
  mkdir -p .gl /tmp/amd64/partial
  o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
  # shellcheck disable=SC2086
  apt-get $o update -qq
  # shellcheck disable=SC2086
  (cd .gl && apt-get $o download -qq libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
fi
du -sh .gpu .gl
