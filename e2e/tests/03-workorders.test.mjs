// Work orders, end to end in the browser:
//
//   an agent takes a phone repair: on 新建工单 she types the last four digits of
//   the caller's phone, picks the room and customer from the suggestions (the
//   contact phone fills in), chooses the category and a preset phrase and
//   saves; the workbench's 待派工工单 count goes up; she dispatches the order to
//   the engineer and the count goes back down. The engineer finds it on his
//   workbench, acknowledges it (接单), arrives (到场处理) and completes it with
//   two material lines and labour: the fee is exact to the fen. The agent
//   records the customer's acceptance — 待回访工单 goes up — and the return
//   visit — it goes back down; the order is 已回访 with every step on its
//   timeline; the printable 报修受理单 is shot for the record.
//
// Runs after 01 and 02 against the same server and database: it uses the
// company, office and project made in 01 and the room and customer made in 02,
// and creates two staff accounts (an agent and an engineer) through the API as
// the admin. Like 01 and 02 the steps share pages and run in order; after the
// first failure the rest are skipped. Screenshots are numbered from 70.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'playwright-core';
import { ADMIN_PASSWORD_AFTER_01, baseURL, chooseOption, clickAndWait, field, launch, shot, toastText, url } from '../lib.mjs';

const TIMEOUT = 15_000;

// Made by 01 and 02.
const COMPANY = '深圳测试物业有限公司';
const OFFICE = '测试一号管理处';
const PROJECT = '测试花园';
const ROOM = 'T1-1-0101';
const PHONE = '13512345678';

// Made here.
const AGENT = { username: 'wo_agent', name: '韩梅梅', start: 'Start1234', password: 'Agent2024ok' };
const ENGINEER = { username: 'wo_engineer', name: '李雷', start: 'Start1234', password: 'Engineer2024ok' };
const DESCRIPTION = '厨房水龙头一直滴水关不紧';

let context;
let page;
let broken = null;
const jsErrors = [];
let orderId;
let orderNumber;

function step(name, fn) {
  test(name, { timeout: 60_000 }, async (t) => {
    if (broken) {
      t.skip(`skipped after "${broken}" failed`);
      return;
    }
    try {
      await fn();
    } catch (err) {
      broken = name;
      await shot(page, `FAIL-${name.slice(0, 2)}`).catch(() => {});
      throw err;
    }
  });
}

/** An API session of its own (cookies + CSRF token), the way an integrator calls. */
async function apiSession(username, password) {
  const api = await request.newContext({ baseURL });
  const r = await api.post('/api/v1/auth/login', { data: { username, password } });
  assert.equal(r.status(), 200, `API login ${username}: ${await r.text()}`);
  const body = await r.json();
  const call = async (method, path, data) => {
    const res = await api.fetch(path, { method, data, headers: { 'X-CSRF-Token': body.csrf_token } });
    const text = await res.text();
    assert.ok(res.ok(), `${method} ${path}: ${res.status()} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return { api, call, body };
}

async function goto(path) {
  const response = await page.goto(url(path), { waitUntil: 'load' });
  assert.ok(response, `no response for ${path}`);
  assert.ok(response.status() < 400, `${path}: ${response.status()}`);
  return response;
}

async function login(who) {
  await goto('/login');
  await field(page, '用户名').fill(who.username);
  await field(page, '密码').fill(who.password);
  await clickAndWait(page, page.getByRole('button', { name: '登录' }));
  assert.equal(new URL(page.url()).pathname, '/', `${who.username} lands on the workbench`);
}

async function logout(who) {
  await page.locator('details.user-menu > summary', { hasText: who.name }).click();
  await clickAndWait(page, page.getByRole('button', { name: '退出登录' }));
}

/** The number on a workbench stat card. */
async function stat(label) {
  await goto('/');
  const card = page.locator('a.stat', { has: page.locator('.stat-label', { hasText: label }) });
  assert.equal(await card.count(), 1, `no stat ${label}`);
  return Number((await card.locator('.stat-value').innerText()).replace(/,/g, ''));
}

async function stateTag() {
  return (await page.locator('.page-head h1 .tag').first().innerText()).trim();
}

/** Click an action button of the order page and wait for the page after it. */
async function act(label) {
  await clickAndWait(page, page.locator('.action-bar').getByRole('button', { name: label, exact: true }));
}

before(async () => {
  context = await launch();
  page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  page.on('pageerror', (e) => jsErrors.push(String(e)));
});

after(async () => {
  await context?.close();
});

step('60 setup: the admin creates an agent and an engineer for 测试花园 through the API', async () => {
  const admin = await apiSession('admin', ADMIN_PASSWORD_AFTER_01);
  const units = await admin.call('GET', '/api/v1/org-units?per_page=100');
  const company = units.items.find((u) => u.name === COMPANY);
  const office = units.items.find((u) => u.name === OFFICE);
  assert.ok(company && office, 'company and office from 01');
  const projects = await admin.call('GET', '/api/v1/projects?per_page=100');
  const project = projects.items.find((p) => p.name === PROJECT);
  assert.ok(project, 'project from 01');
  const agentRole = await admin.call('POST', '/api/v1/roles', {
    org_unit_id: company.id,
    name: '工单客服',
    description: '受理报修、派工、验收与回访',
    permissions: ['property.view', 'customer.view', 'workorder.view', 'workorder.create', 'workorder.dispatch', 'workorder.edit', 'visit.view', 'visit.create', 'report.view'],
  });
  const engineerRole = await admin.call('POST', '/api/v1/roles', {
    org_unit_id: company.id,
    name: '工单维修',
    description: '接单维修',
    permissions: ['property.view', 'customer.view', 'workorder.handle', 'report.view'],
  });
  for (const [who, role] of [
    [AGENT, agentRole],
    [ENGINEER, engineerRole],
  ]) {
    await admin.call('POST', '/api/v1/users', {
      username: who.username,
      display_name: who.name,
      phone: '',
      org_unit_id: office.id,
      password: who.start,
      role_ids: [role.id],
      all_projects: false,
      project_ids: [project.id],
    });
    // The first login asks for a new password.
    const own = await apiSession(who.username, who.start);
    assert.equal(own.body.must_change_password, true);
    await own.call('POST', '/api/v1/me/password', { old_password: who.start, new_password: who.password, confirm_password: who.password });
    await own.api.dispose();
  }
  await admin.api.dispose();
});

let pendingBefore;

step('61 the agent finds the caller by the last four digits of the phone', async () => {
  await login(AGENT);
  pendingBefore = await stat('待派工工单');
  await page.keyboard.press('n');
  await page.waitForURL(/\/workorders\/new/);
  const picker = field(page, '客户 / 房间');
  const answer = page.waitForResponse((r) => r.url().includes('/api/v1/work-orders/lookup'));
  await picker.pressSequentially(PHONE.slice(-4));
  const found = await (await answer).json();
  await page.waitForFunction(() => document.querySelectorAll('#dl-picked option').length > 0);
  const hit = found.items.find((c) => c.room_code === ROOM);
  assert.ok(hit, `the suggestions offer ${ROOM}: ${JSON.stringify(found.items)}`);
  const options = await page.locator('#dl-picked option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(options.includes(hit.text), `the picker lists "${hit.text}": ${options}`);
  await picker.fill(hit.text);
  assert.equal(await field(page, '联系电话').inputValue(), PHONE, 'the contact phone is the customer’s');
  await shot(page, '70-new-order-picked');
});

step('62 the agent fills in the repair and saves it', async () => {
  await chooseOption(field(page, '服务类别'), '水电');
  await chooseOption(field(page, '服务性质'), '有偿服务');
  await page.getByRole('checkbox', { name: '水龙头漏水' }).check();
  await field(page, '报修内容').fill(DESCRIPTION);
  await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.match(new URL(page.url()).pathname, /^\/workorders\/\d+$/);
  orderId = new URL(page.url()).pathname.split('/').pop();
  assert.match(await toastText(page), /已新建工单 WO-/);
  orderNumber = (await page.locator('.page-head h1').innerText()).match(/WO-\S+/)[0];
  assert.equal(await stateTag(), '待派工');
  const body = await page.locator('main').innerText();
  for (const text of [ROOM, PHONE, '水龙头漏水', DESCRIPTION, '服务时效', '响应（接单）', '到场', '完成']) {
    assert.ok(body.includes(text), `the order page shows ${text}`);
  }
  await shot(page, '71-order-created');
  assert.equal(await stat('待派工工单'), pendingBefore + 1, 'one more order waits for dispatch');
});

step('63 the agent dispatches it to the engineer', async () => {
  await goto(`/workorders/${orderId}`);
  await chooseOption(page.getByLabel('派工处理人'), ENGINEER.name);
  await act('派工');
  assert.equal(await stateTag(), '已派工');
  assert.match(await page.locator('dl.kv').innerText(), new RegExp(ENGINEER.name));
  assert.equal(await stat('待派工工单'), pendingBefore, 'dispatched: back to the count before');
  await logout(AGENT);
});

step('64 the engineer finds it on his workbench, takes it and arrives', async () => {
  await login(ENGINEER);
  const todo = page.locator('.todo-list a', { hasText: orderNumber });
  assert.equal(await todo.count(), 1, 'the order is among the engineer’s to-dos');
  await clickAndWait(page, todo);
  await act('接单');
  assert.equal(await stateTag(), '已接单');
  await act('到场处理');
  assert.equal(await stateTag(), '处理中');
  const clocks = await page.locator('table.sla-clocks').innerText();
  assert.match(clocks, /达成/, 'the response and on-site clocks are met');
});

step('65 the engineer completes it with materials and labour; the fee is exact', async () => {
  await field(page, '处理结果').fill('更换水龙头阀芯，试水正常');
  await page.getByLabel('材料名称').nth(0).fill('陶瓷阀芯');
  await page.getByLabel('数量').nth(0).fill('1');
  await page.getByLabel('单价').nth(0).fill('35.50');
  await page.getByRole('button', { name: '添加材料' }).click();
  await page.getByLabel('材料名称').nth(1).fill('生料带');
  await page.getByLabel('数量').nth(1).fill('2.5');
  await page.getByLabel('单价').nth(1).fill('1.15');
  await field(page, '人工费（元）').fill('50');
  await shot(page, '72-completion-form');
  await clickAndWait(page, page.getByRole('button', { name: '完工', exact: true }));
  assert.equal(await stateTag(), '已完工');
  // 35.50 + 2.5 × 1.15 = 2.875 → 2.88 (rounded once per line) + 50.00 = 88.38
  const fees = await page.locator('section', { hasText: '材料与费用' }).innerText();
  assert.match(fees, /¥2\.88/);
  assert.match(fees, /¥88\.38/);
  await shot(page, '73-completed');
  await logout(ENGINEER);
});

let visitsBefore;

step('66 the agent records the customer’s acceptance', async () => {
  await login(AGENT);
  visitsBefore = await stat('待回访工单');
  await goto(`/workorders/${orderId}`);
  await act('客户验收');
  assert.equal(await stateTag(), '已验收');
  assert.equal(await stat('待回访工单'), visitsBefore + 1, 'the accepted order waits for its return visit');
});

step('67 the agent records the return visit; the timeline has every step', async () => {
  await goto(`/workorders/${orderId}`);
  await clickAndWait(page, page.locator('.page-head .toolbar').getByRole('link', { name: '回访', exact: true }));
  await chooseOption(field(page, '满意度'), '非常满意');
  await chooseOption(field(page, '回访方式'), '电话');
  await field(page, '客户意见').fill('师傅准时上门，修得很好');
  await shot(page, '74-visit-form');
  await clickAndWait(page, page.getByRole('button', { name: '保存回访' }));
  assert.match(await toastText(page), new RegExp(`已记录工单 ${orderNumber} 的回访`));
  await goto(`/workorders/${orderId}`);
  assert.equal(await stateTag(), '已回访');
  const timeline = await page.locator('ul.timeline').innerText();
  for (const s of ['派工', '接单', '到场处理', '完工', '客户验收', '回访']) assert.ok(timeline.includes(s), `timeline has ${s}:\n${timeline}`);
  assert.match(await page.locator('#visits').innerText(), /非常满意/);
  await shot(page, '75-order-visited');
  assert.equal(await stat('待回访工单'), visitsBefore, 'visited: back to the count before');
});

step('68 the printable 报修受理单', async () => {
  await goto(`/workorders/${orderId}/print`);
  const text = await page.locator('body').innerText();
  for (const s of ['报修受理单', orderNumber, ROOM, DESCRIPTION, '更换水龙头阀芯', '¥88.38']) assert.ok(text.includes(s), `the slip shows ${s}`);
  assert.equal(await page.locator('nav').count(), 0, 'no navigation on the slip');
  await shot(page, '76-print-slip');
  assert.deepEqual(jsErrors, [], 'no script errors on the way');
});
