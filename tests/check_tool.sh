#!/bin/sh
# cxconnect(1): exit status (usage 2, connect failure 1, I/O error 3), the
# -v lines (one per attempt, then the winner), stdin to the peer and the
# peer to stdout, half-close both ways.  Loopback listeners in python3.
tool="${top_builddir:-.}/tools/cxconnect"
[ -x "$tool" ] || { echo "no $tool"; exit 99; }
# The program itself, not libtool's wrapper script (tools/cxconnect is
# installed, so it has one), with the library the wrapper would give it:
# the wrapper's shell, sed and ls cost seconds a run in the kernel lane
# (HACKING.md, The kernel lane), and the shell that runs it may take a
# closed standard descriptor for its own files, hiding what the tool does
# with it (below).
if [ -x "${top_builddir:-.}/tools/.libs/cxconnect" ]; then
	tool="${top_builddir:-.}/tools/.libs/cxconnect"
	LD_LIBRARY_PATH="${top_builddir:-.}/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
	export LD_LIBRARY_PATH
fi
command -v python3 >/dev/null 2>&1 || { echo "python3 is needed for the listeners; skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxtool.XXXXXX") || exit 99
servers=""
cleanup() {
	for pid in $servers; do kill "$pid" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# One-connection servers on 127.0.0.1: the port goes to stdout.
#   collect  read to EOF, then answer "got N bytes: <data>" and close
#   greet    send "hi" and close without reading
#   reset    read a line, then close with a reset
#   udp      echo one datagram
#   hello    send "hi", read to EOF, write what was read to argv[2], close
#   udpsizes write the sizes of the datagrams received to argv[2], one a
#            line, until none came for a second
cat > "$tmp/server.py" <<'EOF'
import socket, struct, sys
mode = sys.argv[1]
kind = socket.SOCK_DGRAM if mode in ("udp", "udpsizes") else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
if mode == "refused":
    print(s.getsockname()[1], flush=True)
    sys.exit(0)
if mode == "udp":
    print(s.getsockname()[1], flush=True)
    data, peer = s.recvfrom(65536)
    s.sendto(data, peer)
    sys.exit(0)
if mode == "udpsizes":
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    print(s.getsockname()[1], flush=True)
    sizes = []
    s.settimeout(10)
    try:
        while True:
            sizes.append(len(s.recv(70000)))
            s.settimeout(1)
    except socket.timeout:
        pass
    open(sys.argv[2], "w").write("".join("%d\n" % n for n in sizes))
    sys.exit(0)
s.listen(8)
print(s.getsockname()[1], flush=True)
c, _ = s.accept()
if mode == "collect":
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    c.sendall(b"got %d bytes: " % len(data) + data)
elif mode == "greet":
    c.sendall(b"hi\n")
elif mode == "hello":
    c.sendall(b"hi\n")
    data = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    open(sys.argv[2], "wb").write(data)
elif mode == "reset":
    c.makefile("rb").readline()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
EOF

# Start a server; its port in $port.
# Waits are as below, longer by CX_TEST_MARGIN_MS where programs run slowly
# (the kernel lane's user-mode kernel: a python3 start takes seconds there).
slack=$(( ${CX_TEST_MARGIN_MS:-0} / 50 ))

serve() {
	: > "$tmp/port"
	python3 "$tmp/server.py" "$1" "$tmp/got" > "$tmp/port" &
	servers="$servers $!"
	i=0
	while [ ! -s "$tmp/port" ] && [ $i -lt $((400 + slack)) ]; do
		sleep 0.05
		i=$((i + 1))
	done
	last=$!
	port=$(cat "$tmp/port")
	[ -n "$port" ] || { echo "server $1 did not start"; exit 99; }
}

# Let the last server finish its one connection (or end it after 5 s).
reap() {
	i=0
	while kill -0 "$last" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	kill "$last" 2>/dev/null
	wait "$last" 2>/dev/null
}

# Run the tool: status in $rc, stdout in $tmp/out, stderr in $tmp/err.
run() {
	"$tool" "$@" > "$tmp/out" 2> "$tmp/err" < "$tmp/in"
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || { fail "$2: exit $rc, want $1"; sed 's/^/  | /' "$tmp/err"; }
}

num='[0-9]+\.[0-9]'
attempt_re() {	# index, address, outcome
	echo "^cxconnect: \[$1\] $2 \+$num ms: $3 after $num ms\$"
}

: > "$tmp/in"

# --- usage: 2 ----------------------------------------------------------
run;				expect_rc 2 "no operand"
grep -q '^usage: cxconnect' "$tmp/err" || fail "no operand: no usage line"
run -x 127.0.0.1:80;		expect_rc 2 "unknown option"
run -d 5 localhost 80;		expect_rc 2 "attempt delay out of range"
run -d abc localhost 80;	expect_rc 2 "attempt delay not a number"
run -T -1 localhost 80;		expect_rc 2 "negative total timeout"
run localhost 80 extra;		expect_rc 2 "three operands, not addresses"
run localhost;			expect_rc 2 "host without port"
run -s not-an-address localhost 80; expect_rc 2 "-s not numeric"
run -6 127.0.0.1:80;		expect_rc 2 "-6 with an IPv4 address"

# -h and --help: the usage on stdout, status 0.
for h in -h --help; do
	run $h;			expect_rc 0 "$h"
	grep -q '^usage: cxconnect' "$tmp/out" || fail "$h: no usage on stdout"
	[ -s "$tmp/err" ] && fail "$h: stderr not empty"
done

# Ports are 1 to 65535 in digits alone; anything else is a usage error and
# connects nowhere (P + 65536 must not reach P).  Option values likewise.
serve collect
for op in "127.0.0.1:$((port + 65536))" "127.0.0.1:$((port + 4 * 65536))" \
    "[::1]:$((port + 65536))" "127.0.0.1:0" "127.0.0.1:" "127.0.0.1:+$port" \
    "127.0.0.1: $port" "127.0.0.1:${port}x" "localhost:$port"; do
	run "$op";		expect_rc 2 "operand '$op'"
done
run "127.0.0.1:$port" "127.0.0.1:$((port + 65536))"
expect_rc 2 "a list whose second port is above 65535"
for p in $((port + 65536)) 0 "" "+$port" " $port" "$port " "${port}x" \
    99999999999999999999 no-such-service-cx; do
	run 127.0.0.1 "$p";	expect_rc 2 "host port '$p'"
done
for v in "+50" " 50" "50ms" "" 99999999999999999999; do
	run -d "$v" "127.0.0.1:$port"; expect_rc 2 "-d '$v'"
	run -T "$v" "127.0.0.1:$port"; expect_rc 2 "-T '$v'"
done
run "127.0.0.1:$port";		expect_rc 0 "the port itself"
[ "$(cat "$tmp/out")" = "got 0 bytes: " ] ||
	fail "ports: a bad port reached the server ($(cat "$tmp/out"))"
reap

# --- connect failure: 1 ------------------------------------------------
serve refused; refused=$port; reap
run -v "127.0.0.1:$refused"
expect_rc 1 "refused address"
[ "$(grep -c '^cxconnect: \[' "$tmp/err")" -eq 1 ] || fail "refused: want one attempt line"
grep -Eq "$(attempt_re 0 "127.0.0.1:$refused" 'Connection refused')" "$tmp/err" ||
	{ fail "refused: attempt line format"; cat "$tmp/err"; }
grep -q 'connected to' "$tmp/err" && fail "refused: a winner line"
grep -q "^cxconnect: .*Connection refused\$" "$tmp/err" || fail "refused: no error line"
run no-such-host.invalid 80;	expect_rc 1 "name that does not resolve"
run -i no-such-if0 "127.0.0.1:$refused"; expect_rc 1 "unknown interface"

# --- -v: one line per attempt, then the winner -------------------------
serve collect
run -v "127.0.0.1:$refused" "127.0.0.1:$port"
expect_rc 0 "refused then live"
[ "$(grep -c '^cxconnect: \[' "$tmp/err")" -eq 2 ] || fail "-v: want two attempt lines"
grep -Eq "$(attempt_re 0 "127.0.0.1:$refused" 'Connection refused')" "$tmp/err" ||
	fail "-v: refused attempt line"
grep -Eq "$(attempt_re 1 "127.0.0.1:$port" connected)" "$tmp/err" ||
	fail "-v: connected attempt line"
grep -Eq "^cxconnect: connected to 127.0.0.1:$port \[1\] in $num ms, association [1-9][0-9]*\$" "$tmp/err" ||
	fail "-v: winner line"
[ "$(tail -n 1 "$tmp/err" | cut -c1-25)" = "cxconnect: connected to 1" ] ||
	fail "-v: the winner line comes last"
reap
run "127.0.0.1:$port";		expect_rc 1 "server gone"

# --- host and port -----------------------------------------------------
serve collect
run -v localhost "$port"
expect_rc 0 "localhost PORT"
grep -Eq "^cxconnect: connected to (127.0.0.1|\[::1\]):$port \[[0-9]+\] in $num ms, association [1-9][0-9]*\$" "$tmp/err" ||
	{ fail "localhost: winner line"; cat "$tmp/err"; }
reap

# --- piping and half-close ---------------------------------------------
# The server answers only after our end of the stream: stdin's EOF must be
# passed on (shutdown), and the answer read to the peer's EOF.
serve collect
printf 'hello\nworld\n' > "$tmp/in"
run "127.0.0.1:$port"
expect_rc 0 "piping"
printf 'got 12 bytes: hello\nworld\n' | cmp -s - "$tmp/out" ||
	{ fail "piping: output"; od -c "$tmp/out" | head; }
[ -s "$tmp/err" ] && fail "piping: stderr not empty without -v"
reap

# A larger stream, both ways.
head -c 300000 /dev/urandom > "$tmp/in" 2>/dev/null || dd if=/dev/urandom of="$tmp/in" bs=1000 count=300 2>/dev/null
serve collect
run "127.0.0.1:$port"
expect_rc 0 "300 kB"
{ printf 'got 300000 bytes: '; cat "$tmp/in"; } | cmp -s - "$tmp/out" || fail "300 kB: output"
reap

# The peer ends first: done at its EOF, though stdin stays open.
mkfifo "$tmp/fifo"
exec 4<>"$tmp/fifo"
serve greet
if command -v timeout >/dev/null 2>&1; then t="timeout 10"; else t=""; fi
$t "$tool" "127.0.0.1:$port" < "$tmp/fifo" > "$tmp/out" 2> "$tmp/err"
rc=$?
expect_rc 0 "peer's EOF with stdin open"
[ "$(cat "$tmp/out")" = "hi" ] || fail "peer's EOF: output"
exec 4>&-
reap

# --- a closed standard descriptor: /dev/null in its place --------------
# Started without stdin (a daemon, a CI step), the socket must not become
# descriptor 0: the peer's "hi" would be read as input and sent back.
# Without stdout (or stderr, with -v), it must not become 1 (2): the
# peer's data (the -v lines) would go to the peer.
# $tool is the program itself, not libtool's wrapper (above).
if [ -n "$t" ]; then
	: > "$tmp/got"; serve hello
	$t "$tool" "127.0.0.1:$port" <&- > "$tmp/out" 2> "$tmp/err"; rc=$?
	expect_rc 0 "stdin closed"
	[ "$(cat "$tmp/out")" = "hi" ] || fail "stdin closed: stdout '$(cat "$tmp/out")', want 'hi'"
	reap
	[ -s "$tmp/got" ] && fail "stdin closed: the peer got back '$(cat "$tmp/got")'"

	printf 'x' > "$tmp/in"
	: > "$tmp/got"; serve hello
	$t "$tool" "127.0.0.1:$port" < "$tmp/in" >&- 2> "$tmp/err"; rc=$?
	expect_rc 0 "stdout closed"
	reap
	[ "$(cat "$tmp/got")" = "x" ] || fail "stdout closed: the peer got '$(cat "$tmp/got")', want 'x'"

	: > "$tmp/got"; serve hello
	$t "$tool" -v "127.0.0.1:$port" < "$tmp/in" > "$tmp/out" 2>&-; rc=$?
	expect_rc 0 "stderr closed, -v"
	[ "$(cat "$tmp/out")" = "hi" ] || fail "stderr closed: stdout '$(cat "$tmp/out")', want 'hi'"
	reap
	[ "$(cat "$tmp/got")" = "x" ] || fail "stderr closed: the peer got '$(cat "$tmp/got")', want 'x'"
	: > "$tmp/in"
fi

# --- I/O error: 3 ------------------------------------------------------
serve reset
printf 'x\n' > "$tmp/in"
run "127.0.0.1:$port"
expect_rc 3 "connection reset"
reap

# --- UDP: a datagram each way; runs until interrupted ------------------
if [ -n "$t" ]; then
	serve udp
	printf 'ping' > "$tmp/in"
	timeout $((2 + slack / 10)) "$tool" -u "127.0.0.1:$port" < "$tmp/in" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	expect_rc 124 "UDP runs until interrupted"
	[ "$(cat "$tmp/out")" = "ping" ] || fail "UDP: echo"
	reap
fi

# Input larger than one datagram can carry: each read of stdin is one
# datagram, so a read must fit one (65507 bytes), not fail with EMSGSIZE.
if [ -n "$t" ]; then
	: > "$tmp/got"; serve udpsizes
	head -c 100000 /dev/zero > "$tmp/in"
	timeout $((3 + slack / 10)) "$tool" -u "127.0.0.1:$port" < "$tmp/in" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	expect_rc 124 "UDP, 100000 bytes of input"
	reap
	[ "$(awk '{ s += $1 } END { print s + 0 }' "$tmp/got")" = 100000 ] ||
		fail "UDP, 100000 bytes: the peer got datagrams of $(tr '\n' ' ' < "$tmp/got")"
	awk '$1 > 65507 { exit 1 }' "$tmp/got" || fail "UDP: a datagram over 65507 bytes"
	: > "$tmp/in"
fi

if [ "$failures" -ne 0 ]; then
	echo "cxconnect: $failures failures"
	exit 1
fi
echo "cxconnect: exit status, -v lines, piping and half-close as documented"
