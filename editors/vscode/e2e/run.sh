#!/usr/bin/env bash
# The rivet extension tested inside a real VS Code: code-server 4.100.3
# (VS Code 1.100.3, from npm) on 127.0.0.1 with --auth none, driven by
# Debian's Chromium through playwright-core (test.js).
#
#   bash editors/vscode/e2e/run.sh
#
# Steps: install what is missing (apt: chromium, ripgrep, libkrb5-dev and
# the build tools code-server's native modules need; npm: this
# directory's package-lock.json, cached under ~/.cache/rivet-ci keyed by
# its hash); build rivet and the .vsix unless RIVET_BIN and VSIX name
# them; check the .vsix's manifest (manifest.js); install it with
# --install-extension into a throwaway profile; serve a copy of
# testdata/kernel; run test.js (Problems panel against the scenario and
# against rivet check, status bar and Re-index, hover, definition, quick
# fix, a rivet.path pointing nowhere).
#
# Environment:
#   RIVET_BIN          the rivet to test (default: go build)
#   VSIX               the .vsix to test (default: npm ci + vsce package)
#   UPDATE_SCREENSHOT  1: write the screenshot to docs/vscode-rivet.png
#                      (otherwise it goes to a temporary directory)
#   RIVET_CI_CACHE     the cache directory (default ~/.cache/rivet-ci)
#
# Nothing here uses the network but the npm registry and Debian's
# mirrors: @vscode/ripgrep's postinstall, which would download rg from
# GitHub, finds Debian's rg (the same 13.0.0) in its download cache, and
# the extension marketplace is never asked for anything. On failure the
# screenshot, the panels' text and the logs are kept and their directory
# printed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
export PATH="/usr/local/go/bin:$PATH"

# What code-server 4.100.3 pins: lib/vscode/npm-shrinkwrap.json has
# @vscode/ripgrep 1.15.11, whose lib/postinstall.js fetches release
# v13.0.0-10 for x86_64-unknown-linux-musl, and whose lib/download.js
# first looks for ripgrep-<release>-<target>.tar.gz in
# <os.tmpdir()>/vscode-ripgrep-cache-<package version>/.
rg_package_version=1.15.11
rg_asset=ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz

tmp=$(mktemp -d)
server_pid=
stage=
cleanup() {
	if [ -n "$server_pid" ]; then
		# code-server leads its own process group: the extension host and
		# rivet go with it.
		kill -- "-$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
	if [ -n "$stage" ]; then
		rm -rf "$stage" # an install that did not finish
	fi
}
trap cleanup EXIT
start=$EPOCHREALTIME
elapsed() { awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1fs", e - s }'; }

if [ "$(uname -m)" != x86_64 ]; then
	echo "run.sh: only x86_64 is set up (the ripgrep asset name is per architecture)" >&2
	exit 2
fi

# Debian packages: Chromium and rg always; the compiler, Python and the
# Kerberos headers only to build code-server's native modules (kerberos
# needs gssapi.h).
. "$repo/.ci/apt-install.sh"

install_packages() {
	local missing=()
	command -v chromium >/dev/null || missing+=(chromium)
	command -v rg >/dev/null || missing+=(ripgrep)
	command -v unzip >/dev/null || missing+=(unzip)
	if [ "$1" = build ]; then
		command -v g++ >/dev/null && command -v make >/dev/null || missing+=(build-essential)
		command -v python3 >/dev/null || missing+=(python3)
		command -v pkg-config >/dev/null || missing+=(pkg-config)
		dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
	fi
	apt_install "${missing[@]}"
}

# code-server and playwright-core, from package-lock.json, installed once
# per lockfile (and Node major version) under the cache directory.
cache_root=${RIVET_CI_CACHE:-$HOME/.cache/rivet-ci}
key=$({ cat "$here/package-lock.json"; node -p 'process.versions.node.split(".")[0]'; } | sha256sum | cut -c1-16)
modules_dir=$cache_root/vscode-e2e-$key
if [ -f "$modules_dir/.complete" ]; then
	install_packages run
	echo "code-server and playwright-core: cached in $modules_dir"
else
	install_packages build
	mkdir -p "$cache_root"
	stage=$(mktemp -d "$cache_root/.vscode-e2e-stage.XXXXXX")
	cp "$here/package.json" "$here/package-lock.json" "$stage/"
	# @vscode/ripgrep's download cache, holding Debian's rg.
	mkdir -p "$stage/.tmp/vscode-ripgrep-cache-$rg_package_version" "$stage/.tmp/rg"
	cp "$(command -v rg)" "$stage/.tmp/rg/rg"
	tar -czf "$stage/.tmp/vscode-ripgrep-cache-$rg_package_version/$rg_asset" -C "$stage/.tmp/rg" rg
	echo "installing code-server and playwright-core into $stage ($(rg --version | sed -n 1p) as @vscode/ripgrep's download)"
	npm_install() {
		# As root, code-server's postinstall wants unsafe-perm; yes answers
		# npm's prompts. nodedir: Debian's Node headers, so that node-gyp
		# does not download them.
		(cd "$stage" && env TMPDIR="$stage/.tmp" npm_config_unsafe_perm=true npm_config_yes=true \
			${NODE_HEADERS:+npm_config_nodedir="$NODE_HEADERS"} \
			npm ci --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1) ||
			{ tail -40 "$tmp/npm.log"; return 1; }
	}
	if [ -f /usr/include/node/node.h ]; then
		NODE_HEADERS=/usr
	fi
	# One retry: the registry is the network this step needs.
	npm_install || { echo "npm ci failed, once more"; npm_install; }
	rg_installed=$stage/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep
	got=$(node -p "require('$rg_installed/package.json').version")
	if [ "$got" != "$rg_package_version" ]; then
		echo "code-server installed @vscode/ripgrep $got, run.sh expects $rg_package_version: update rg_package_version and rg_asset" >&2
		exit 1
	fi
	"$rg_installed/bin/rg" --version | sed -n 1p
	rm -rf "$stage/.tmp"
	touch "$stage/.complete"
	# Older lockfiles' installs go; a concurrent run's install may have won.
	find "$cache_root" -maxdepth 1 -name 'vscode-e2e-*' ! -name "vscode-e2e-$key" -exec rm -rf {} +
	mv -T "$stage" "$modules_dir" 2>/dev/null || rm -rf "$stage"
	echo "installed in $(elapsed)"
fi
node_modules=$modules_dir/node_modules
code_server_entry=$node_modules/code-server/out/node/entry.js
vscode_version=$(node -p "require('$node_modules/code-server/lib/vscode/product.json').version")
echo "code-server $(node -p "require('$node_modules/code-server/package.json').version") (VS Code $vscode_version)," \
	"playwright-core $(node -p "require('$node_modules/playwright-core/package.json').version"), $(chromium --version 2>/dev/null)"

if [ -z "${RIVET_BIN:-}" ]; then
	(cd "$repo" && go build -o "$tmp/rivet" .)
	RIVET_BIN=$tmp/rivet
fi
if [ -z "${VSIX:-}" ]; then
	(cd "$repo/editors/vscode" && npm ci --no-audit --no-fund --loglevel=error && npx tsc -p . &&
		npx vsce package --skip-license --out "$tmp/rivet.vsix")
	VSIX=$tmp/rivet.vsix
fi

printf '\n.vsix manifest (%s)\n' "$VSIX"
mkdir "$tmp/vsix"
unzip -q "$VSIX" -d "$tmp/vsix"
node "$here/manifest.js" "$tmp/vsix" "$vscode_version"

# A throwaway profile: settings, extensions, code-server's own state.
artifacts=$tmp/artifacts
mkdir -p "$tmp/t" "$tmp/user/User" "$tmp/extensions" "$tmp/xdg/config" "$tmp/xdg/data" "$tmp/workspace" "$artifacts"
scenario=$repo/editors/test/scenario.json
node - "$scenario" "$tmp/vsix/extension/out/src/settings.generated.js" "$RIVET_BIN" "$artifacts/rivet.log" \
	>"$tmp/user/User/settings.json" <<'EOF'
// The user settings: rivet.path and a log file, the scenario's server
// settings under their VS Code names (the extension's own table), and a
// quiet workbench.
const [scenarioFile, generated, rivet, log] = process.argv.slice(2);
const scenario = require(scenarioFile);
const { serverSettingKeys } = require(generated);
const settings = {
  'rivet.path': rivet,
  'rivet.logFile': log,
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'editor.stickyScroll.enabled': false,
  'git.enabled': false,
};
for (const [key, value] of Object.entries(scenario.settings || {})) {
  const s = serverSettingKeys.find((k) => k.key === key);
  if (!s) throw new Error(`scenario setting ${key} has no VS Code setting`);
  settings[`rivet.${s.setting}`] = value;
}
console.log(JSON.stringify(settings, null, 2));
EOF
cp -R "$repo/$(node -p "require('$scenario').root")" "$tmp/workspace/"
workspace=$tmp/workspace/$(basename "$(node -p "require('$scenario').root")")
printf 'auth: none\nbind-addr: 127.0.0.1:0\ncert: false\n' >"$tmp/code-server.yaml"

# code-server's own state and sockets go to the temporary directory;
# rivet's facts cache (XDG_CACHE_HOME) too, unless the caller chose one.
code_server=(env XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data"
	XDG_CACHE_HOME="${XDG_CACHE_HOME:-$tmp/cache}" TMPDIR="$tmp/t"
	node "$code_server_entry" --config "$tmp/code-server.yaml"
	--user-data-dir "$tmp/user" --extensions-dir "$tmp/extensions")
code_server() { "${code_server[@]}" "$@"; }

printf '\ninstalling the .vsix\n'
code_server --install-extension "$VSIX"
version=$(node -p "require('$tmp/vsix/extension/package.json').version")
if ! code_server --list-extensions --show-versions | grep -qx "rivet-lsp.rivet@$version"; then
	echo "rivet-lsp.rivet@$version is not listed as installed:" >&2
	code_server --list-extensions --show-versions >&2
	exit 1
fi
echo "ok   rivet-lsp.rivet@$version installed"

# Port 0: code-server says which port it took. setsid: its own process
# group, which cleanup ends.
setsid "${code_server[@]}" --disable-telemetry --disable-update-check --disable-workspace-trust \
	--disable-getting-started-override --ignore-last-opened "$workspace" \
	>"$artifacts/code-server.log" 2>&1 &
server_pid=$!
url=
for _ in $(seq 600); do
	url=$(grep -o 'HTTP server listening on http://127\.0\.0\.1:[0-9]*' "$artifacts/code-server.log" | sed 's/.* on //' || true)
	if [ -n "$url" ] || ! kill -0 "$server_pid" 2>/dev/null; then
		break
	fi
	sleep 0.1
done
if [ -z "$url" ]; then
	echo "code-server did not start:" >&2
	cat "$artifacts/code-server.log" >&2
	exit 1
fi
echo "code-server on $url"

screenshot=$artifacts/vscode-rivet.png
if [ "${UPDATE_SCREENSHOT:-}" = 1 ]; then
	screenshot=$repo/docs/vscode-rivet.png
fi
# What rivet check reports on the workspace, for the panel to agree with.
(cd "$workspace" && "$RIVET_BIN" check --no-cache --format json --fail-on never --progress never .) \
	>"$tmp/check.json" 2>"$tmp/check.log" || { cat "$tmp/check.log"; exit 1; }
status=0
CODE_SERVER_URL=$url WORKSPACE=$workspace SCENARIO=$scenario ARTIFACTS=$artifacts SCREENSHOT=$screenshot \
	CHECK_JSON=$tmp/check.json NODE_PATH=$node_modules timeout 600 node "$here/test.js" || status=$?
if [ "$status" != 0 ]; then
	keep=$(mktemp -d "${TMPDIR:-/tmp}/rivet-vscode-e2e.XXXXXX")
	cp -R "$artifacts/." "$keep/"
	for log in code-server.log rivet.log; do
		if [ -s "$artifacts/$log" ]; then
			printf -- '--- last lines of %s\n' "$log"
			tail -20 "$artifacts/$log"
		fi
	done
	echo "vscode e2e failed ($status) after $(elapsed): screenshots and logs in $keep"
	exit 1
fi
echo "vscode e2e passed in $(elapsed)"
