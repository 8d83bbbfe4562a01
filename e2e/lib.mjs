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

/**
 * The admin password after the foundation journey (tests/01-foundation.test.mjs)
 * replaced the one-time password with it. Later test files run against the same
 * server and log in with this. Keep it equal to ADMIN_NEW_PASSWORD in 01.
 */
export const ADMIN_PASSWORD_AFTER_01 = 'Admin2024new';

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

/**
 * Save a full-page PNG of `page` as SCREENSHOT_DIR/<name>(.png). Returns the file path.
 *
 * A plain full-page capture of a page taller than the window paints the sticky
 * parts (top bar, side nav, form footer) where they sit in the window, i.e. in
 * the middle of the image. So a tall page is shot in a window as tall as the
 * page, scrolled to the top, and the window is restored afterwards. Running CSS
 * animations (dialog zoom, toast drop) are let finish first.
 */
export async function shot(page, name) {
  mkdirSync(screenshotDir, { recursive: true });
  const file = join(screenshotDir, name.endsWith('.png') ? name : `${name}.png`);
  await page
    .evaluate(() =>
      Promise.race([
        Promise.all(document.getAnimations().map((a) => a.finished.catch(() => {}))),
        new Promise((r) => setTimeout(r, 1000)),
      ]),
    )
    .catch(() => {});
  const viewport = page.viewportSize();
  const height = await page
    .evaluate(() => Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0))
    .catch(() => 0);
  if (viewport && height > viewport.height) {
    await page.setViewportSize({ width: viewport.width, height: Math.min(height, 16_000) });
    try {
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.screenshot({ path: file, fullPage: true });
    } finally {
      await page.setViewportSize(viewport);
    }
  } else {
    await page.screenshot({ path: file, fullPage: true });
  }
  return file;
}

// ---------------------------------------------------------------------------
// Helpers for journey tests: find things the way a person would.
// ---------------------------------------------------------------------------

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The form control labelled exactly `label`. Required fields render their
 * label as "*名称", so a leading asterisk is allowed; anything else must match
 * exactly (so 新密码 does not also find 确认新密码).
 */
export function field(page, label) {
  return page.getByLabel(new RegExp(`^\\*?\\s*${escapeRegExp(label)}\\s*$`));
}

/** Choose the option of `select` whose visible text contains `text`; returns its value. */
export async function chooseOption(select, text) {
  const options = await select.locator('option').evaluateAll((os) =>
    os.map((o) => ({ value: o.value, text: o.textContent || '' })),
  );
  const hit = options.find((o) => o.text.includes(text));
  if (!hit) {
    throw new Error(`no option containing "${text}"; options: ${options.map((o) => o.text.trim()).join(' | ')}`);
  }
  await select.selectOption(hit.value);
  return hit.value;
}

/**
 * Click `target` (a locator) and wait for the page it leads to. Returns the
 * final document response (after any redirects); for a normal form POST that
 * redirects, `response.request().redirectedFrom()` is the POST.
 */
export async function clickAndWait(page, target, timeout = 15_000) {
  const [response] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout }),
    target.click({ timeout }),
  ]);
  return response;
}

/** Text of the flash toast on the current page ('' if none). Works after it faded out. */
export async function toastText(page) {
  const toast = page.locator('.toast').first();
  return (await toast.count()) ? ((await toast.textContent()) || '').trim() : '';
}
