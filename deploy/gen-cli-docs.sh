#!/usr/bin/env bash
# Generates the manual pages and the shell completion of kiemdiemd, kiemdiemctl and
# kiemdiem-worker from the programs themselves, with swift-argument-parser: completion with
# `--generate-completion-script`, manual pages with its generate-manual tool (the GenerateManual
# plugin's), which reads each program's `--experimental-dump-help`. So they cannot drift from the
# options the programs take.
#
#   deploy/gen-cli-docs.sh [BIN]    BIN: the built programs (default .build/debug)
#
# Writes BIN/cli-docs/{man1/*.1,bash/PROG,zsh/_PROG,fish/PROG.fish}. The tool is built once by
# `swift package plugin generate-manual` (a debug build of the package) and reused after.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=$(cd "${1:-$here/.build/debug}" && pwd)
out=$BIN/cli-docs
programs=(kiemdiemd kiemdiemctl kiemdiem-worker)
for p in "${programs[@]}"; do
  [ -x "$BIN/$p" ] || { echo "gen-cli-docs: $BIN/$p is missing; build first" >&2; exit 1; }
done
rm -rf "$out.tmp" && mkdir -p "$out.tmp"/{man1,bash,zsh,fish}
for p in "${programs[@]}"; do
  "$BIN/$p" --generate-completion-script bash > "$out.tmp/bash/$p"
  "$BIN/$p" --generate-completion-script zsh > "$out.tmp/zsh/_$p"
  "$BIN/$p" --generate-completion-script fish > "$out.tmp/fish/$p.fish"
done

tool() { find "$here/.build" -path '*/plugin-tools/*' -prune -o -type f \( -name generate-manual-tool -o -name generate-manual \) -perm -u+x -print 2>/dev/null | head -1; }
gm=$(tool)
if [ -z "$gm" ]; then
  echo "gen-cli-docs: building swift-argument-parser's generate-manual (once)" >&2
  (cd "$here" && swift package plugin generate-manual --configuration debug > /dev/null)
  gm=$(tool)
fi
[ -n "$gm" ] || { echo "gen-cli-docs: generate-manual was not built" >&2; exit 1; }
version=$("$BIN/kiemdiemctl" --version)
for p in "${programs[@]}"; do
  # One page per program, every subcommand in it; dated by the package's changelog, not today,
  # so the pages of one version are the same bytes whenever they are built.
  "$gm" "$BIN/$p" --output-directory "$out.tmp/man1" --section 1 \
    --date "$(dpkg-parsechangelog -l "$here/debian/changelog" -S Date 2>/dev/null | xargs -I{} date -u -d {} +%Y-%m-%d || date -u +%Y-%m-%d)" \
    --authors "kiemdiem maintainers" > /dev/null
done
# The generator leaves blank lines between paragraphs, which mdoc reads as errors (groff says
# "Empty input line"): a paragraph break is `.Pp`. A completion script is sourced, not run: no #!.
sed -i 's/^[[:space:]]*$/.Pp/' "$out.tmp"/man1/*.1
sed -i '1{/^#!/d}' "$out.tmp"/bash/*
rm -rf "$out" && mv "$out.tmp" "$out"
echo "gen-cli-docs: $(ls "$out/man1" | wc -l) manual pages and ${#programs[@]}x3 completion scripts for $version in $out" >&2
