#!/bin/sh
# Real round trips for the kernel lane (inside the user-mode kernel, which
# has netem; tests/uml/lane.sh built BUILD/uml/rtt from tests/uml/rtt.c).
# In a network namespace of its own (the qdiscs go with it), root:
#   - lo delayed 50 ms each way (RTT 100 ms): the TCP handshake, and a
#     request's time to its reply with connect(2)+send(2) vs connectx(2)
#     with CONNECT_DATA_IDEMPOTENT (TCP Fast Open, the cookie cached);
#   - only packets to 127.0.0.2 delayed (400 ms, then 100 ms), 127.0.0.1 at
#     once: Happy Eyeballs with a slow-but-live first address, connectx
#     over [127.0.0.2, 127.0.0.1] with the default policy (attempt delay
#     250 ms) against connect(2) to the first address alone.
# Prints one line per figure; fails when a figure contradicts the design
# (fast open saving less than half a round trip; the wrong address winning).
# Usage: tests/uml/rtt.sh BUILD
set -eu
build=$1
runs=${CX_RTT_RUNS:-5}
exec unshare -n sh -s "$build/uml/rtt" "$runs" <<'INNER'
set -eu
rtt=$1 runs=$2
ip link set lo up
echo 3 >/proc/sys/net/ipv4/tcp_fastopen
status=0
bad() { echo "  NOT AS DESIGNED: $*"; status=1; }

tc qdisc add dev lo root netem delay 50ms
set -- $("$rtt" connect 127.0.0.1 7101 "$runs")
hs=$2
set -- $("$rtt" fastopen 7102 "$runs")
plain=$2 tfo=$4
tc qdisc del dev lo root
echo "netem delay 50ms on lo (RTT 100 ms), medians of $runs:"
echo "  TCP handshake (connect(2)): $hs ms"
echo "  request to reply: connect(2)+send(2) $plain ms; connectx(2) CONNECT_DATA_IDEMPOTENT (fast open, cookie cached) $tfo ms: $((plain - tfo)) ms saved"
[ $((plain - tfo)) -ge 50 ] || bad "fast open saved $((plain - tfo)) ms, less than half a round trip"

tc qdisc add dev lo root handle 1: prio bands 3 priomap 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1
tc filter add dev lo parent 1: protocol ip prio 1 u32 match ip dst 127.0.0.2/32 flowid 1:1
for delay in 400 100; do
	if [ "$delay" = 400 ]; then
		tc qdisc add dev lo parent 1:1 handle 10: netem delay ${delay}ms
	else
		tc qdisc change dev lo parent 1:1 handle 10: netem delay ${delay}ms
	fi
	set -- $("$rtt" connect 127.0.0.2 $((7103 + delay)) "$runs")
	first=$2
	set -- $("$rtt" eyeballs 127.0.0.2 127.0.0.1 $((7203 + delay)) "$runs")
	cx=$2 wfirst=$4 wsecond=$6 cold=$8 coldwin=$9
	echo "Happy Eyeballs, first address 127.0.0.2 delayed ${delay} ms (netem), second 127.0.0.1 at once, medians of $runs:"
	echo "  connect(2) to the first: $first ms; connectx(2) [first, second], default policy: first call $cold ms (won by the $coldwin), then $cx ms (won by the first $wfirst, the second $wsecond times)"
	if [ "$delay" -gt 250 ]; then
		[ "$wsecond" = "$runs" ] && [ "$coldwin" = second ] ||
		    bad "the second address should win when the first answers after the attempt delay"
		[ "$cx" -lt $((delay - 50)) ] || bad "connectx took $cx ms, not less than the first address's ${delay} ms"
	else
		[ "$wfirst" = "$runs" ] || bad "the first address should win when it answers within the attempt delay"
	fi
done
exit $status
INNER
