#!/usr/bin/env bash
# Editor tests: rivet driven by real clients on testdata/kernel.
#
#   - Neovim 0.7 (Debian) headless, through editors/nvim/lua/rivet.lua
#     (whose Neovim 0.8+ path, vim.lsp.start, is checked with a stub), and
#     the server definitions for nvim-lspconfig and vim.lsp.config;
#   - Emacs 28 with eglot 1.9 (Debian elpa-eglot) in batch mode, through
#     editors/emacs/rivet.el;
#   - Emacs 28 with lsp-mode 8.0 (Debian elpa-lsp-mode) in batch mode:
#     rivet.el's lsp-mode client (registration, activation, settings,
#     root) and rivet started through lsp-mode up to its diagnostics;
#   - the VS Code extension: npm ci, tsc, its unit tests (one of which
#     talks to rivet serve --stdio), and the .vsix package;
#   - that .vsix inside a real VS Code (editors/vscode/e2e/run.sh): its
#     manifest checked, then installed with --install-extension into a
#     throwaway profile of code-server 4.100.3 (VS Code 1.100.3, from npm)
#     served on 127.0.0.1 with --auth none, and driven by Debian's
#     Chromium through playwright-core: Problems panel, hover, definition,
#     quick fix.
#     code-server is installed once per lockfile under
#     ~/.cache/rivet-ci (about a minute cold, then the step takes ~15 s);
#     @vscode/test-electron is not used: it downloads a VS Code build,
#     which these machines cannot do, and the marketplace is never asked.
#
# Builds rivet once, installs the Debian packages when missing (as root),
# and fails when any test fails. Run from anywhere: bash .ci/editors.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export PATH="/usr/local/go/bin:$HOME/go/bin:$PATH"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
timings=()
failed=()

# timed NAME COMMAND...: runs COMMAND, records its duration, and notes a
# failure without stopping, so that every client gets its turn.
timed() {
	local name=$1 start status=0
	shift
	printf '\n--- %s\n' "$name"
	start=$EPOCHREALTIME
	"$@" || status=$?
	timings+=("$(awk -v n="$name" -v s="$start" -v e="$EPOCHREALTIME" -v r="$status" \
		'BEGIN { printf "%-24s %6.1fs  %s", n, e - s, (r == 0 ? "ok" : "FAILED (" r ")") }')")
	if [ "$status" != 0 ]; then
		failed+=("$name")
	fi
}

. "$repo/.ci/apt-install.sh"

install_packages() {
	local missing=()
	command -v nvim >/dev/null || missing+=(neovim)
	command -v emacs >/dev/null || missing+=(emacs-nox)
	dpkg -s elpa-eglot >/dev/null 2>&1 || missing+=(elpa-eglot)
	dpkg -s elpa-lsp-mode >/dev/null 2>&1 || missing+=(elpa-lsp-mode)
	apt_install "${missing[@]}"
}

install_packages
nvim --version | head -1
emacs --version | head -1
echo "eglot $(dpkg-query -W -f '${Version}' elpa-eglot)"
echo "lsp-mode $(dpkg-query -W -f '${Version}' elpa-lsp-mode)"
echo "node $(node --version), npm $(npm --version 2>/dev/null)"

timed "build rivet" go build -o "$tmp/rivet" .
if [ ${#failed[@]} -gt 0 ]; then
	exit 1
fi

export RIVET_BIN="$tmp/rivet"
export XDG_CACHE_HOME="$tmp/cache" # rivet's facts cache: none from earlier runs

# Standard input is /dev/null: CI may leave it open, and Neovim reads a
# piped standard input into a buffer.
timed "neovim (headless)" \
	env RIVET_LOG="$tmp/nvim-rivet.log" \
	timeout 180 nvim --headless -u editors/nvim/test/init.lua </dev/null

timed "emacs eglot (batch)" \
	env RIVET_LOG="$tmp/emacs-rivet.log" \
	timeout 180 emacs --batch -l editors/emacs/test/rivet-test.el </dev/null

timed "emacs lsp-mode (batch)" \
	env RIVET_LOG="$tmp/emacs-lsp-rivet.log" \
	timeout 180 emacs --batch -l editors/emacs/test/rivet-lsp-test.el </dev/null

vscode() {
	cd "$repo/editors/vscode"
	# One retry: the registry is the only network this step needs.
	{ npm ci --no-audit --no-fund --loglevel=error || npm ci --no-audit --no-fund --loglevel=error; } &&
		npm test &&
		npx vsce package --skip-license --out "$tmp/rivet.vsix" &&
		ls -l "$tmp/rivet.vsix"
}
timed "vscode extension" vscode

# The .vsix just built, in code-server; without one (the step above
# failed), run.sh builds its own.
vscode_e2e() {
	if [ -f "$tmp/rivet.vsix" ]; then
		VSIX="$tmp/rivet.vsix" bash "$repo/editors/vscode/e2e/run.sh"
	else
		bash "$repo/editors/vscode/e2e/run.sh"
	fi
}
timed "vscode (code-server)" vscode_e2e

for log in "$tmp"/*-rivet.log; do
	if [ -s "$log" ] && [ ${#failed[@]} -gt 0 ]; then
		printf '\n--- last lines of %s\n' "$(basename "$log")"
		tail -20 "$log"
	fi
done

printf '\n--- editor timings\n'
printf '%s\n' "${timings[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "editor tests failed: ${failed[*]}"
	exit 1
fi
echo "editor tests passed"
