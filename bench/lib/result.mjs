// How a bench/inner/*.mjs driver hands its result to bench/run.mjs (lib/inner.mjs): one JSON
// line on stdout, then exit. stdout is a pipe there, and Node writes to a pipe
// asynchronously: what does not fit the pipe's 64 KiB at once is queued in the process, and
// process.exit() right after write() drops it. The full reaction suite's result is ~180-230 KB
// per N, so it was cut at 64 KiB ("reaction.mjs exited 0 without a result"). Exit only once
// the write has been handed to the kernel.
export function printResult(result) {
  process.stdout.write(`${JSON.stringify(result)}\n`, (err) => {
    if (err) process.stderr.write(`bench: writing the result failed: ${err.message}\n`);
    process.exit(err ? 1 : 0);
  });
}
