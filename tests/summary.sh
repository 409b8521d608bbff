#!/bin/sh
# The per-program Check summaries of a build directory's last make check,
# then one closing line for the whole suite: "checks: N passed, N failed,
# N skipped".  Usage: tests/summary.sh BUILDDIR
cd "${1:-.}" || exit 1
passed=0 failed=0 skipped=0
for log in tests/*.log tests/fuzz/*.log; do
	[ -f "$log" ] || continue
	line=$(grep -E '^[0-9]+%: Checks: ' "$log" | tail -n 1 || true)
	if [ -n "$line" ]; then
		echo "  $(basename "$log" .log): $line"
		n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
		f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+).*/\1/')
		e=$(echo "$line" | sed -E 's/.*Errors: ([0-9]+).*/\1/')
		passed=$((passed + n - f - e))
		failed=$((failed + f + e))
	elif grep -q '^SKIP' "${log%.log}.trs" 2>/dev/null || grep -q ':test-result: SKIP' "${log%.log}.trs" 2>/dev/null; then
		echo "  $(basename "$log" .log): skipped: $(tail -n 1 "$log")"
		skipped=$((skipped + 1))
	elif grep -q ':test-result: PASS' "${log%.log}.trs" 2>/dev/null; then
		echo "  $(basename "$log" .log): $(tail -n 1 "$log")"
		passed=$((passed + 1))
	else
		echo "  $(basename "$log" .log): FAILED"
		failed=$((failed + 1))
	fi
done
echo "checks: $passed passed, $failed failed, $skipped skipped"

