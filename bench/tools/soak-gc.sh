#!/bin/bash
# A long soak with V8 GC tracing: is the RSS growth under flapping a leak or heap sizing?
# Run as root from the repository root after npm run build: bench/tools/soak-gc.sh; the GC trace goes to /tmp/soak.gc.
set -e
NS=ifdepd-soak-$$
ip netns add $NS
trap "kill -9 \$PID 2>/dev/null; ip netns del $NS" EXIT
ip -n $NS link add s0 type veth peer name s0p; ip -n $NS link set s0 up; ip -n $NS link set s0p up
ip -n $NS link add br0 type bridge; ip -n $NS link add d0 link br0 type macvlan mode bridge
ip netns exec $NS node --trace-gc --max-old-space-size=20 "$(dirname "$0")/../../dist/cli.js" -q -S s0 -D d0 --down-delay 0 --up-delay 0 >/tmp/soak.gc 2>/tmp/soak.err &
PID=$!
sleep 2
rss() { awk '/VmRSS/{print $2}' /proc/$PID/status; }
echo "start rss_kb=$(rss)"
B=/tmp/soak.batch; : > $B
for i in $(seq 1 12500); do echo "link set s0p down" >> $B; echo "link set s0p up" >> $B; done
for round in $(seq 1 12); do
  ip -n $NS -batch $B
  sleep 1
  echo "after $((round*12500*2)) changes ($((round*12500)) flaps) rss_kb=$(rss) alive=$(kill -0 $PID && echo y)"
done
sleep 20
echo "after 20 s idle rss_kb=$(rss)"
echo "d0 admin: $(ip -n $NS -j link show d0 | grep -o '"flags":\[[^]]*\]')"
