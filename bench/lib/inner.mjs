// Runs a bench/inner/*.mjs script inside a namespace and returns the JSON it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ifdepdNodeFlags } from './node-flags.mjs';

export function runInner(ns, script, cfg, { timeoutMs = 3_600_000 } = {}) {
  const path = fileURLToPath(new URL(`../inner/${script}`, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...(process.env.BENCH_NO_RT ? [] : ['chrt', '-f', '10']), process.execPath, path, JSON.stringify({ nodeFlags: ifdepdNodeFlags(), ...cfg })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop();
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${script} exited ${code ?? sig} without a result (${out.length} characters on stdout, ending): ${out.slice(-500)}`));
      }
    });
  });
}
