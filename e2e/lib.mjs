// Shared helpers for the browser tests (run with `node --test`).
//
// The tests drive the system Chromium (/usr/bin/chromium, from Debian's
// `chromium` package) through playwright-core; no browser is ever downloaded.
//
// Environment (set by scripts/test.sh):
//   GUANJIA_URL             base URL of a running `guanjia serve`, e.g. http://127.0.0.1:8080
//   GUANJIA_ADMIN_PASSWORD  one-time password of the initial `admin` user
//   GUANJIA_BACKEND         `sqlite` or `postgres` (informational)
//   SCREENSHOT_DIR          where shot() writes PNGs (default: e2e/screenshots)

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Base URL of the server under test, without a trailing slash. */
export const baseURL = (process.env.GUANJIA_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');

/** One-time password of the initial admin user (may be empty if not provided). */
export const adminPassword = process.env.GUANJIA_ADMIN_PASSWORD || '';

/** `sqlite` or `postgres`. */
export const backend = process.env.GUANJIA_BACKEND || 'sqlite';

/** Directory screenshots are written to. */
export const screenshotDir = resolve(process.env.SCREENSHOT_DIR || join(here, 'screenshots'));

/** Absolute URL for a path on the server under test. */
export function url(path = '/') {
  return baseURL + (path.startsWith('/') ? path : `/${path}`);
}

/**
 * Launch headless Chromium with a fresh, throwaway profile.
 * Returns a Playwright persistent BrowserContext; closing it also deletes the
 * profile directory.
 */
export async function launch(options = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'guanjia-e2e-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      viewport: { width: 1440, height: 900 },
      locale: 'zh-CN',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      ...options,
    });
  } catch (err) {
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  const close = context.close.bind(context);
  context.close = async (...args) => {
    try {
      await close(...args);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
  return context;
}

/** Open a new page in `context` (or its first blank page) at `path`. */
export async function open(context, path = '/') {
  const pages = context.pages();
  const page = pages.length === 1 && pages[0].url() === 'about:blank' ? pages[0] : await context.newPage();
  const response = await page.goto(url(path), { waitUntil: 'load' });
  return { page, response };
}

/** Save a full-page PNG of `page` as SCREENSHOT_DIR/<name>(.png). Returns the file path. */
export async function shot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, name.endsWith('.png') ? name : `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
