# apt_install PACKAGE...: installs the Debian packages given (the callers
# pass only the missing ones), as root, quietly; prints apt's tail and
# fails when it fails. Sourced by .ci/editors.sh and
# editors/vscode/e2e/run.sh.
apt_install() {
	if [ $# -eq 0 ]; then
		return
	fi
	echo "installing $*"
	if [ "$(id -u)" != 0 ]; then
		echo "not root: install $* first" >&2
		return 1
	fi
	local log
	log=$(mktemp)
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	if ! apt-get install -y -qq --no-install-recommends "$@" >"$log"; then
		tail -20 "$log"
		rm -f "$log"
		return 1
	fi
	rm -f "$log"
}
