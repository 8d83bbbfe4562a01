import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { launch, open, shot } from '../lib.mjs';

let context;

before(async () => {
  context = await launch();
});

after(async () => {
  await context?.close();
});

test('login page renders', async () => {
  const { page, response } = await open(context, '/login');
  assert.ok(response, 'no response for /login');
  assert.equal(response.status(), 200, `GET /login answered ${response.status()}`);
  const text = await page.locator('body').innerText();
  assert.match(text, /登录/, 'login page does not contain 登录');
  await shot(page, 'login.png');
});
