// Starts a clientele server on a fresh demo database for the end-to-end tests.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const TODAY = '2026-11-27';
const START_TIMEOUT_MS = 30_000;

/** The clientele binary: $CLIENTELE_BIN, which must exist. */
export function clienteleBin() {
  const bin = process.env.CLIENTELE_BIN;
  if (!bin) {
    throw new Error(
      'CLIENTELE_BIN is not set: build with `cargo build --bin clientele` and run ' +
        '`CLIENTELE_BIN=$PWD/target/debug/clientele node tests/e2e/run.mjs`',
    );
  }
  if (!existsSync(bin)) {
    throw new Error(`CLIENTELE_BIN=${bin} does not exist; build it with \`cargo build --bin clientele\``);
  }
  return bin;
}

/**
 * Fills <tmp>/e2e.redb with `demo --customers 300 --seed 7`, starts `serve --addr 127.0.0.1:0`
 * and waits (at most 30 s) for the line that names the URL.
 * Returns { url, stop() }; stop() kills the server and removes the temp dir.
 */
export async function startServer({ customers = 300, seed = 7, token = null } = {}) {
  const bin = clienteleBin();
  const dir = mkdtempSync(join(tmpdir(), 'clientele-e2e-'));
  const db = join(dir, 'e2e.redb');
  const common = ['--db', db, '--today', TODAY];
  const cleanupDir = () => rmSync(dir, { recursive: true, force: true });

  const demo = spawnSync(bin, [...common, 'demo', '--customers', String(customers), '--seed', String(seed)], {
    encoding: 'utf8',
    timeout: START_TIMEOUT_MS,
  });
  if (demo.error || demo.status !== 0) {
    cleanupDir();
    throw new Error(
      `\`clientele demo\` failed (status ${demo.status}${demo.error ? `, ${demo.error.message}` : ''}):\n` +
        `${demo.stdout ?? ''}${demo.stderr ?? ''}`,
    );
  }

  const serveArgs = [...common, 'serve', '--addr', '127.0.0.1:0', ...(token ? ['--token', token] : [])];
  const child = spawn(bin, serveArgs, {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stopped = false;
  const stop = () => {
    if (!stopped) {
      stopped = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      cleanupDir();
    }
  };
  // Never leave the server behind, whatever way this process ends.
  process.once('exit', stop);

  const url = await new Promise((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => {
      fail(new Error(`the server did not print "clientele is serving … at http://127.0.0.1:PORT/" within ${START_TIMEOUT_MS / 1000} s; output so far:\n${output}`));
    }, START_TIMEOUT_MS);
    function fail(err) {
      clearTimeout(timer);
      stop();
      reject(err);
    }
    child.on('error', (e) => fail(new Error(`cannot start ${bin}: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (!stopped) fail(new Error(`the server exited early (code ${code}, signal ${signal}); output:\n${output}`));
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      output += chunk;
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        const m = /^clientele is serving .* at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      }
    });
  });
  return { url, stop, output: () => output };
}
