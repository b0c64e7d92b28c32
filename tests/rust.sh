#!/usr/bin/env bash
# The Rust binding's tests (bindings/rust/sluice-pktio), as TAP for
# tests/run.sh: `cargo test` of the crate and its echo example, linked
# against the plain build's libsluice-pktio.so (the ASan build's library
# would need the sanitizer runtime in a Rust binary).  Offline: the crate
# has no dependencies, so nothing is downloaded.
#   tests/rust.sh [BUILD_DIR]   (default build)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export PATH="$PATH:$HOME/.cargo/bin"
if ! command -v cargo >/dev/null; then
	echo "not ok 1 - cargo is not installed (the Rust binding cannot be tested)"
	exit 1
fi
lib="$PWD/$build"
if [ ! -e "$lib/libsluice-pktio.so" ]; then
	echo "not ok 1 - $lib/libsluice-pktio.so is missing: build first (make)"
	exit 1
fi
export SLUICE_PKTIO_LIB_DIR="$lib"
export CARGO_TARGET_DIR="$lib/rust-target"
out=$(cd bindings/rust/sluice-pktio && cargo test --offline --all-targets 2>&1)
rc=$?
n=0
while read -r name result; do
	n=$((n + 1))
	if [ "$result" = ok ]; then
		echo "ok $n - rust: $name"
	else
		echo "not ok $n - rust: $name"
	fi
done < <(printf '%s\n' "$out" | sed -n 's/^test \(.*\) \.\.\. \(ok\|FAILED\)$/\1 \2/p')
if [ "$rc" -ne 0 ]; then
	printf '%s\n' "$out" | sed 's/^/# /'
fi
echo "# cargo test exit status $rc"
exit "$rc"
