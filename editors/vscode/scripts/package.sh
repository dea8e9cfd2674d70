#!/usr/bin/env bash
# Packages the platform .vsix: builds falco-rules-lsp and falco-rulec with the `dist`
# profile (release code, no debug information, stripped), copies them into server/, and
# runs vsce with `--target` (VS Code's name for the platform, e.g. linux-x64), which
# writes falco-rules-<target>.vsix. Fails when the .vsix is larger than 10 MB.
#
# Expects `npm ci` and `npm run build` to have run (scripts/ci.sh does both, then this).
# The binaries are built in their own target directory (FALCO_DIST_TARGET_DIR, default
# <repo>/target/dist-vsix), so this also works from inside a running `cargo test`,
# which holds the lock of its own target directory.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(cd ../.. && pwd)"

fail() {
    echo "editors/vscode/scripts/package.sh: $*" >&2
    exit 1
}

# vsce's platform names; the binaries are built for the machine running this script.
case "$(uname -s)-$(uname -m)" in
Linux-x86_64) target=linux-x64 ;;
Linux-aarch64) target=linux-arm64 ;;
Darwin-x86_64) target=darwin-x64 ;;
Darwin-arm64) target=darwin-arm64 ;;
*) fail "no VS Code platform name for $(uname -s)-$(uname -m)" ;;
esac
max_bytes=$((10 * 1000 * 1000))

target_dir="${FALCO_DIST_TARGET_DIR:-$repo/target/dist-vsix}"
echo "== cargo build --profile dist (falco-rules-lsp, falco-rulec) into $target_dir"
cargo build --quiet --locked --profile dist -p falco-rules-lsp -p falco-rulec \
    --manifest-path "$repo/Cargo.toml" --target-dir "$target_dir"

rm -rf server
mkdir server
for binary in falco-rules-lsp falco-rulec; do
    install -m 755 "$target_dir/dist/$binary" server/
    echo "   server/$binary: $(wc -c <"server/$binary") bytes"
done

vsix="falco-rules-$target.vsix"
echo "== vsce package --target $target"
rm -f "$vsix"
npx --no-install vsce package --target "$target" --allow-missing-repository --out "$vsix"
[[ -s "$vsix" ]] || fail "vsce did not produce $vsix"
size="$(wc -c <"$vsix")"
((size <= max_bytes)) || fail "$vsix is $size bytes, more than the $max_bytes allowed"

# What a user gets: the bundled server runs, and its debug information is gone.
if command -v python3 >/dev/null; then
    check_dir="$(mktemp -d)"
    trap 'rm -rf "$check_dir"' EXIT
    python3 - "$vsix" "$check_dir" <<'PY'
import os, sys, zipfile
vsix, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(vsix) as archive:
    for name in ("extension/server/falco-rules-lsp", "extension/server/falco-rulec"):
        info = archive.getinfo(name)
        path = archive.extract(info, out)
        # The Unix mode is kept in the archive; VS Code restores it on install.
        mode = (info.external_attr >> 16) & 0o777
        if not mode & 0o100:
            sys.exit(f"{name} is not executable in the archive (mode {mode:o})")
        os.chmod(path, mode)
PY
    "$check_dir/extension/server/falco-rules-lsp" --version
    if command -v readelf >/dev/null; then
        for binary in falco-rules-lsp falco-rulec; do
            if readelf -S "$check_dir/extension/server/$binary" | grep -q -e '\.debug_' -e '\.symtab'; then
                fail "server/$binary still has debug information or a symbol table"
            fi
        done
    fi
fi
echo "== packaged $(pwd)/$vsix ($size bytes)"
