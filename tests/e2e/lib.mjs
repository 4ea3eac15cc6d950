// Helpers for the tuanle browser end-to-end tests.
//
// The tests drive the real `tuanle` binary (path in $TUANLE_BIN) with the
// Chromium shipped by Debian (/usr/bin/chromium) through playwright-core.
// Nothing is downloaded at test time.

import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The server is on 127.0.0.1; never route test traffic through a proxy
  // that may be configured in the environment.
  '--no-proxy-server',
];

const HEALTH_TIMEOUT_MS = 60_000;
const LOG_LIMIT = 64 * 1024;

/** Path of the tuanle binary under test. */
export function tuanleBin() {
  if (process.env.TUANLE_BIN) return process.env.TUANLE_BIN;
  const target =
    process.env.CARGO_TARGET_DIR || path.join(os.homedir(), '.cache', 'tuanle-target');
  return path.join(target, 'debug', 'tuanle');
}

/** Finds a free TCP port on 127.0.0.1 (bind to port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close((err) => (err ? reject(err) : resolve(port)));
    });
  });
}

/** Keeps the last LOG_LIMIT characters of a stream. */
function collect(stream) {
  const buf = { text: '' };
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    buf.text += chunk;
    if (buf.text.length > LOG_LIMIT) buf.text = buf.text.slice(-LOG_LIMIT);
  });
  return buf;
}

/**
 * The database URL for a fresh server: a SQLite file in `dir`, or, when
 * `TUANLE_E2E_DB` is a PostgreSQL URL, a new database created on that server.
 */
function freshDatabase(dir) {
  const base = process.env.TUANLE_E2E_DB || 'sqlite';
  if (!base.startsWith('postgres')) return `sqlite://${dir}/t.db`;
  const name = `tuanle_t_e2e_${process.pid}_${Date.now() % 1e9}_${Math.floor(Math.random() * 1e6)}`;
  execFileSync('psql', [base, '-qc', `CREATE DATABASE ${name}`], { stdio: 'pipe' });
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * Starts `tuanle serve --demo` on a fresh database (SQLite by default, PostgreSQL
 * when `TUANLE_E2E_DB` says so) and a free port, and waits until `GET /healthz` answers 200.
 *
 * Returns `{ baseUrl, stop(), logs() }`. `stop()` terminates the server
 * (SIGTERM, then SIGKILL after 5 s) and removes the temp dir.
 */
export async function startServer() {
  const bin = tuanleBin();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tuanle-e2e-'));
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const baseUrl = `http://${addr}`;
  const args = ['serve', '--demo', '--db', freshDatabase(dir), '--addr', addr];

  const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
  const out = collect(child.stdout);
  const err = collect(child.stderr);
  let exited = null; // { code, signal } once the process is gone
  let spawnError = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      resolve(exited);
    });
    child.on('error', (e) => {
      spawnError = e;
      exited = exited || { code: null, signal: null };
      resolve(exited);
    });
  });

  const logs = () =>
    `--- tuanle stderr (tail) ---\n${err.text}\n--- tuanle stdout (tail) ---\n${out.text}`;

  let stopped = false;
  async function stop() {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const timer = sleep(5_000).then(() => 'timeout');
      if ((await Promise.race([exitPromise, timer])) === 'timeout') {
        child.kill('SIGKILL');
        await exitPromise;
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  let lastProblem = 'no answer yet';
  for (;;) {
    if (spawnError) {
      await stop();
      throw new Error(`cannot start ${bin}: ${spawnError.message} (build it with: cargo build --bin tuanle, or set TUANLE_BIN)`);
    }
    if (exited) {
      await stop();
      throw new Error(
        `tuanle exited before becoming healthy (code ${exited.code}, signal ${exited.signal})\n` +
          `command: ${bin} ${args.join(' ')}\n${logs()}`,
      );
    }
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer().catch(() => {});
      if (res.status === 200) break;
      lastProblem = `GET /healthz answered ${res.status}`;
    } catch (e) {
      lastProblem = `GET /healthz failed: ${e.cause?.code || e.message}`;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `tuanle did not become healthy within ${HEALTH_TIMEOUT_MS / 1000} s (${lastProblem})\n` +
          `command: ${bin} ${args.join(' ')}\n${logs()}`,
      );
    }
    await sleep(200);
  }

  return { baseUrl, stop, logs, dbPath: path.join(dir, 't.db') };
}

/** Launches Debian's Chromium headless. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/** Unicode-normalised, whitespace-collapsed text (for Vietnamese comparisons). */
export function norm(text) {
  return (text ?? '').normalize('NFC').replace(/\s+/g, ' ').trim();
}

/**
 * Parses a Vietnamese-formatted integer: "1.234" → 1234, "" → 0.
 * Accepts spaces / no-break spaces as extra separators and a leading minus.
 * Throws on anything that is not such an integer.
 */
export function readNumber(text) {
  const t = (text ?? '').normalize('NFC').replace(/[\s\u00a0\u202f]/g, '');
  if (t === '' || t === '-' || t === '–' || t === '—') return 0;
  if (!/^[-−]?\d{1,3}(\.\d{3})*$/.test(t) && !/^[-−]?\d+$/.test(t)) {
    throw new Error(`not a Vietnamese-formatted integer: ${JSON.stringify(text)}`);
  }
  const n = Number(t.replace(/\./g, '').replace('−', '-'));
  return Object.is(n, -0) ? 0 : n;
}

/** First ~1500 characters of the visible page text, for error messages. */
export async function pageSnippet(page) {
  try {
    const text = await page.evaluate(() => document.body?.innerText ?? '');
    return `${page.url()}\n${norm(text).slice(0, 1500)}`;
  } catch (e) {
    return `${page.url()} (page text unavailable: ${e.message})`;
  }
}

/** Clicks (or taps, on touch contexts) an element. */
export async function press(page, locator) {
  const touch = await page.evaluate(() => navigator.maxTouchPoints > 0);
  if (touch) await locator.tap();
  else await locator.click();
}

/**
 * Presses an element that submits a form / follows a link and waits until
 * the resulting document has loaded. Fails on a 5xx answer.
 * Returns the main-resource response (after redirects).
 */
export async function pressAndWait(page, locator) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: 30_000 }),
    press(page, locator),
  ]);
  if (response && response.status() >= 500) {
    throw new Error(`server answered ${response.status()} for ${response.url()}\n${await pageSnippet(page)}`);
  }
  return response;
}

/** Navigates to `url` and requires a 200 answer (after redirects). */
export async function open(page, url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response || response.status() !== 200) {
    throw new Error(
      `GET ${url} answered ${response ? response.status() : 'nothing'}\n${await pageSnippet(page)}`,
    );
  }
  return response;
}

/** Logs in through the /login form; requires the redirect to `/`. */
export async function login(page, baseUrl, username, password) {
  await open(page, `${baseUrl}/login`);
  await page.locator('input[name=username]').fill(username);
  await page.locator('input[name=password]').fill(password);
  await pressAndWait(page, page.locator('button[type=submit]'));
  const { pathname } = new URL(page.url());
  if (pathname !== '/') {
    throw new Error(`login as ${username} did not redirect to / (now at ${pathname})\n${await pageSnippet(page)}`);
  }
  const who = page.locator('[data-test=current-user]');
  if ((await who.count()) === 0) {
    throw new Error(`after login as ${username}: no [data-test=current-user] on /\n${await pageSnippet(page)}`);
  }
}

/** Logs out with the logout form's submit button; requires that the session is gone. */
export async function logout(page) {
  const button = page.locator('form[action="/logout"] button[type=submit], form[action="/logout"] button:not([type]), form[action="/logout"] input[type=submit]').first();
  await pressAndWait(page, button);
  if ((await page.locator('[data-test=current-user]').count()) !== 0) {
    throw new Error(`still logged in after logout\n${await pageSnippet(page)}`);
  }
}
