#!/bin/sh
# Round trips before a request reaches the server: connectx with fast open
# (CONNECT_RESUME_ON_READ_WRITE | CONNECT_DATA_IDEMPOTENT, as macOS programs
# call it) against connect-then-send, counted from a capture on lo in a
# private network namespace.  Root.  Usage: bench/fastopen_trips.sh [BUILDDIR]
set -eu
b="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
client="$b/examples/macos_client"
[ -x "$client" ] || { echo "build first: make" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || { echo "needs root (a network namespace)" >&2; exit 77; }
exec unshare -n sh -s "$client" <<'INNER'
set -eu
client="$1"
ip link set lo up
echo 3 > /proc/sys/net/ipv4/tcp_fastopen
port=7777
python3 - "$port" <<'PY' &
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 16)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
for _ in range(3):
    c, _ = s.accept(); c.recv(100); c.sendall(b"ok\n"); c.close()
PY
sleep 0.5
run() {  # $1 label, then the client command
	label=$1; shift
	tcpdump -Z root -i lo -nn --immediate-mode -U -w /tmp/trips.pcap "tcp port $port" 2>/dev/null &
	td=$!
	sleep 0.5
	"$@" >/dev/null
	sleep 0.3
	kill -INT $td; wait $td 2>/dev/null || true
	# Packets up to and including the first client segment with data.
	tcpdump -r /tmp/trips.pcap -nn 2>/dev/null | awk -v p="$port" -v label="$label" '
		{ n++; line[n] = $0 }
		$5 == "127.0.0.1." p ":" && / length [1-9]/ && !done { first = n; done = 1 }
		END {
			syns = 0
			for (i = 1; i <= first; i++) if (line[i] ~ /Flags \[S\]/) syns++
			# a round trip is a SYN answered before the data could leave
			trips = (line[first] ~ /Flags \[S\]/) ? 0 : 1
			printf "%-34s request left in packet %d (%s); round trips before it: %d\n",
			    label, first, (line[first] ~ /Flags \[S\]/) ? "in the SYN" : "after the handshake", trips
		}'
	rm -f /tmp/trips.pcap
}
plain() { python3 -c "
import socket; c = socket.create_connection(('127.0.0.1', $port)); c.sendall(b'GET'); c.recv(10)"; }
run "connect(2) then send(2):" plain
run "connectx, 1st (fetches a cookie):" "$client" 127.0.0.1 "$port" GET
run "connectx, 2nd (cookie cached):" "$client" 127.0.0.1 "$port" GET
wait
INNER
