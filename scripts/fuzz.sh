#!/usr/bin/env bash
# Runs every fuzz target in the repository for FUZZTIME (default 15s) on
# top of its committed seed corpus, then prints the inputs each executed.
# .ci/run calls it; run it longer by hand: FUZZTIME=5m scripts/fuzz.sh
#
# Every `func Fuzz` in a _test.go file is found by grep, so none can be
# forgotten. Go minimises each new interesting input for up to 60 s by
# default without counting those executions, so a short run of a slow
# target would spend all of it there: FUZZMINIMIZETIME (default 2s)
# leaves the time to fuzzing. A failure writes its input to the
# package's testdata/fuzz and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

flags=(-run='^$' -fuzztime="${FUZZTIME:-15s}" -fuzzminimizetime="${FUZZMINIMIZETIME:-2s}")
summary=()

fuzz() { # package target
	local out
	if ! out=$(go test "${flags[@]}" -fuzz="^$2\$" "$1" 2>&1); then
		printf '%s\n' "$out"
		# Go's fuzzer can fail a run with "context deadline exceeded" when
		# the time budget ends while it minimises an input, without any
		# crasher: not a finding, so it gets one more run. A real failure
		# writes its input to testdata/fuzz and is never retried.
		if ! grep -q 'context deadline exceeded' <<<"$out" || grep -q 'Failing input written' <<<"$out"; then
			return 1
		fi
		echo "fuzz $1 $2: deadline without a crasher, running once more"
		out=$(go test "${flags[@]}" -fuzz="^$2\$" "$1" 2>&1) || { printf '%s\n' "$out"; return 1; }
	fi
	printf '%s\n' "$out" | tail -n 2
	local execs
	execs=$(printf '%s\n' "$out" | sed -n -E 's/.*execs: ([0-9]+).*/\1/p' | tail -n 1)
	summary+=("$(printf '%-24s %-28s %12s' "$2" "$1" "${execs:-?}")")
}

while read -r file; do
	pkg="./$(dirname "$file")"
	while read -r target; do
		fuzz "$pkg" "$target"
	done < <(sed -n -E 's/^func (Fuzz[A-Za-z0-9_]*)\(.*/\1/p' "$file")
done < <(git grep -l -E '^func Fuzz[A-Za-z0-9_]*\(' -- '*_test.go')

printf '\n%-24s %-28s %12s   (in %s each)\n' target package inputs "${FUZZTIME:-15s}"
printf '%s\n' "${summary[@]}"
