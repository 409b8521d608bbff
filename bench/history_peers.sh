#!/bin/sh
# History side by side (connectx(2), "History"; README "Performance"):
# repeat connects within one process to a name whose addresses are black
# holes then a live one, by libconnectx (cx_dial, history on, D = 250 ms),
# curl (Happy Eyeballs, 250 ms) and Python asyncio
# (create_connection(..., happy_eyeballs_delay=0.25)), all in this one run,
# alternating, ROUNDS times; then the first destination revives and
# libconnectx's next connect must win on it again.
#
#   three.test  127.0.0.2 (black hole), 127.0.0.3 (black hole), 127.0.0.4
#   two.test    fd00::2 (black hole), 127.0.0.4: one of each family, so that
#               curl, which staggers only between IPv6 and IPv4, staggers too
#
# Root: a mount namespace binds a hosts file of its own over /etc/hosts, and
# a network namespace of its own holds the addresses (on its lo only) and
# the nft rules that drop SYNs to the black holes.  Without root it exits 77.
#
# Usage: sudo bench/history_peers.sh [BUILDDIR] [N] [ROUNDS]
#        N connects per client and round (default 20; curl to three.test:
#        3, as each takes its --connect-timeout of 10 s)
set -eu
b=$(cd "${1:-$(dirname "$0")/..}" && pwd)
n=${2:-20}
rounds=${3:-3}
bench="$b/bench/cxbench"
[ -x "$bench" ] || { echo "build first: make" >&2; exit 1; }
if [ "$(id -u)" != 0 ]; then
	echo "history_peers: skipped: needs root (unshare -m -n, nft, a hosts file bound over /etc/hosts)"
	exit 77
fi
for t in unshare nft ip curl python3; do
	command -v "$t" >/dev/null 2>&1 ||
	    { echo "history_peers: skipped: $t is not installed"; exit 77; }
done
if [ "${CX_PEERS_INSIDE:-}" != 1 ]; then
	CX_PEERS_INSIDE=1 exec unshare -m -n "$0" "$b" "$n" "$rounds"
fi

dir=$(mktemp -d)
server=
cleanup() {
	[ -n "$server" ] && kill "$server" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT INT TERM

ip link set lo up
ip -6 addr add fd00::2/128 dev lo
nft add table inet cxpeers
nft add chain inet cxpeers in '{ type filter hook input priority 0 ; }'
nft add rule inet cxpeers in ip daddr '{ 127.0.0.2, 127.0.0.3 }' tcp dport 8080 tcp flags syn drop
nft add rule inet cxpeers in ip6 daddr fd00::2 tcp dport 8080 tcp flags syn drop
cat >"$dir/hosts" <<EOF
127.0.0.1 localhost
::1 localhost
127.0.0.2 three.test
127.0.0.3 three.test
127.0.0.4 three.test
fd00::2 two.test
127.0.0.4 two.test
EOF
mount --bind "$dir/hosts" /etc/hosts

# Every address listens (a black hole only while nft drops its SYNs);
# HTTP/1.0 answers for curl, which then closes and connects again.
cat >"$dir/server.py" <<'EOF'
import socket, socketserver, sys, threading, time
class H(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.settimeout(2)
        try:
            if self.request.recv(4096):
                self.request.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n"
                                     b"Connection: close\r\n\r\n")
        except OSError:
            pass
class S4(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    request_queue_size = 512
class S6(S4):
    address_family = socket.AF_INET6
for cls, a in ((S4, "127.0.0.2"), (S4, "127.0.0.3"), (S4, "127.0.0.4"), (S6, "fd00::2")):
    s = cls((a, 8080), H)
    threading.Thread(target=s.serve_forever, daemon=True).start()
open(sys.argv[1], "w").close()
while True:
    time.sleep(3600)
EOF
cat >"$dir/aio.py" <<'EOF'
import asyncio, sys, time
async def main(host, n):
    loop = asyncio.get_running_loop()
    for _ in range(n):
        t0 = time.monotonic()
        tr, _p = await loop.create_connection(asyncio.Protocol, host, 8080,
                                              happy_eyeballs_delay=0.25)
        print("%.3f %s" % ((time.monotonic() - t0) * 1000,
                           tr.get_extra_info("peername")[0]))
        tr.close()
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
EOF
python3 "$dir/server.py" "$dir/ready" &
server=$!
while [ ! -e "$dir/ready" ]; do sleep 0.1; done

# "MS ADDRESS" lines: the first, then the median and max of the rest.
summary() {
	awk -v who="$1" '
	{ ms[NR] = $1; won[$2]++ }
	END {
		printf "%s: first %.1f ms", who, ms[1]
		if (NR > 1) {
			for (i = 2; i <= NR; i++) r[i - 1] = ms[i]
			m = NR - 1
			for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
				if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
			med = m % 2 ? r[(m + 1) / 2] : (r[m / 2] + r[m / 2 + 1]) / 2
			printf "; the next %d: median %.1f ms, max %.1f ms", m, med, r[m]
		}
		printf " (won on"
		for (a in won) printf " %s x%d", a, won[a]
		printf ")\n"
	}'
}

curl_runs() {	# NAME COUNT [curl options]
	name=$1 count=$2
	shift 2
	urls=
	i=0
	while [ "$i" -lt "$count" ]; do urls="$urls http://$name:8080/"; i=$((i + 1)); done
	# shellcheck disable=SC2086
	curl -s -o /dev/null --happy-eyeballs-timeout-ms 250 "$@" \
	    -w '%{time_connect} %{remote_ip}\n' $urls |
	    awk '{ printf "%.3f %s\n", $1 * 1000, $2 == "" ? "none" : $2 }'
}

echo "history side by side: $n connects per client and round, $rounds rounds; $(uptime)"
echo "curl: $(curl --version | head -1 | cut -d' ' -f1-2); python: $(python3 --version 2>&1)"
r=1
while [ "$r" -le "$rounds" ]; do
	echo "-- round $r"
	echo "   two.test [fd00::2 black hole, 127.0.0.4]"
	"$bench" dial two.test 8080 "$n" | sed 's/^/   /'
	curl_runs two.test "$n" | summary "   curl --happy-eyeballs-timeout-ms 250"
	python3 "$dir/aio.py" two.test "$n" | summary "   asyncio happy_eyeballs_delay=0.25"
	echo "   three.test [127.0.0.2 black hole, 127.0.0.3 black hole, 127.0.0.4]"
	"$bench" dial three.test 8080 "$n" | sed 's/^/   /'
	curl_runs three.test 3 --connect-timeout 10 |
	    summary "   curl --connect-timeout 10 (0.000 = failed)"
	python3 "$dir/aio.py" three.test "$n" | summary "   asyncio happy_eyeballs_delay=0.25"
	r=$((r + 1))
done
echo "-- revived: the first destination answers again (nft rules flushed)"
"$bench" dial three.test 8080 "$n" "nft flush table inet cxpeers" | sed 's/^/   /'
