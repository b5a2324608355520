// A stand-in for iputils ping in the supervisor's unit tests: `node fake-ping.mjs MODE TOOL ARGS...`.
//   fail:   says why on stderr and exits with status 2, as ping does for a missing device
//   answer: the header, then a reply every 50 ms, stamped like `ping -D`
const [mode] = process.argv.slice(2);
if (mode === 'fail') {
  process.stderr.write('ping: SO_BINDTODEVICE nosuch0: No such device\n');
  process.exit(2);
}
process.stdout.write('PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.\n');
let seq = 0;
setInterval(() => {
  seq += 1;
  process.stdout.write(`[${(Date.now() / 1000).toFixed(6)}] 64 bytes from 192.0.2.1: icmp_seq=${seq} ttl=64 time=0.050 ms\n`);
}, 50);
