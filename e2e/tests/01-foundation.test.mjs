// The foundation journey, end to end in one browser:
//
//   the new admin logs in with the one-time password and must change it;
//   creates a company and an office, a project, a role and a user;
//   that user logs in, changes the initial password and sees only what the
//   role allows; the admin then disables/enables the user through the
//   confirmation dialog and checks the audit and login logs and the API docs.
//
// The steps share one server, one database and one browser page and depend on
// each other (the admin's one-time password works exactly once), so they run
// in order; after the first failure the remaining steps are skipped instead of
// failing confusingly. A screenshot is taken at every step (SCREENSHOT_DIR),
// plus FAIL-<step>.png of the page a step failed on.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  adminPassword,
  chooseOption,
  clickAndWait,
  field,
  launch,
  shot,
  toastText,
  url,
} from '../lib.mjs';

const TIMEOUT = 15_000;

const ADMIN = 'admin';
const ADMIN_NEW_PASSWORD = 'Admin2024new';
const COMPANY = '深圳测试物业有限公司';
const OFFICE = '测试一号管理处';
const PROJECT_CODE = 'CS01';
const PROJECT = '测试花园';
const ROLE = '测试客服';
const USER_LOGIN = 'tester1';
const USER_NAME = '测试员';
const USER_INITIAL_PASSWORD = 'Start1234';
const USER_PASSWORD = 'Tester1234';

let context;
let page;
let broken = null;

before(async () => {
  context = await launch();
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.setDefaultNavigationTimeout(TIMEOUT);
});

after(async () => {
  await context?.close();
});

/** One ordered journey step; skipped once an earlier step has failed. */
function step(name, fn) {
  test(name, { timeout: 60_000 }, async (t) => {
    if (broken) {
      t.skip(`an earlier step failed: ${broken}`);
      return;
    }
    try {
      await fn(t);
    } catch (err) {
      broken = name;
      await shot(page, `FAIL-${name.replace(/[^\w\u4e00-\u9fff-]+/g, '_')}.png`).catch(() => {});
      throw err;
    }
  });
}

// ---------- small assertions ----------

function pathOf(p = page) {
  return new URL(p.url()).pathname;
}

async function h1() {
  return (await page.locator('main h1').first().innerText()).trim();
}

async function moduleNav() {
  return (await page.getByRole('navigation', { name: '模块导航' }).getByRole('link').allInnerTexts()).map((s) =>
    s.trim(),
  );
}

/** The table row (in the list on the page) that contains `text`. */
function rowWith(text) {
  return page.locator('table.data tbody tr').filter({ hasText: text });
}

async function goto(path) {
  const response = await page.goto(url(path), { waitUntil: 'load' });
  assert.ok(response, `no response for ${path}`);
  return response;
}

/** Log in on /login; returns the final response after the redirect(s). */
async function login(username, password) {
  if (pathOf() !== '/login') await goto('/login');
  await field(page, '用户名').fill(username);
  await field(page, '密码').fill(password);
  return clickAndWait(page, page.getByRole('button', { name: '登录' }));
}

async function logout(displayName) {
  const summary = page.locator('details.user-menu > summary', { hasText: displayName });
  await summary.click();
  await clickAndWait(page, page.getByRole('button', { name: '退出登录' }));
  assert.equal(pathOf(), '/login', 'logging out should land on /login');
}

/** Fill the forced-password-change form and submit it; returns the final response. */
async function changePassword(oldPassword, newPassword, confirm = newPassword) {
  await field(page, '当前（初始）密码').fill(oldPassword);
  await field(page, '新密码').fill(newPassword);
  await field(page, '确认新密码').fill(confirm);
  return clickAndWait(page, page.getByRole('button', { name: '确认修改' }));
}

// ---------- the journey ----------

step('01 login page: a wrong password is refused with a visible error', async () => {
  assert.ok(adminPassword, 'GUANJIA_ADMIN_PASSWORD is not set (the one-time admin password printed by the server)');
  const response = await goto('/login');
  assert.equal(response.status(), 200);
  assert.equal(await page.title(), '登录 - 管家物业客服系统');
  await field(page, '用户名').fill(ADMIN);
  await field(page, '密码').fill(adminPassword + 'x');
  await clickAndWait(page, page.getByRole('button', { name: '登录' }));
  assert.equal(pathOf(), '/login');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /用户名或密码错误/);
  // The user name is kept, the password is not.
  assert.equal(await field(page, '用户名').inputValue(), ADMIN);
  assert.equal(await field(page, '密码').inputValue(), '');
  await shot(page, '01-login-wrong-password.png');
});

step('02 the new admin logs in with the one-time password and is sent to change it', async () => {
  const response = await login(ADMIN, adminPassword);
  assert.equal(response.status(), 200);
  assert.equal(pathOf(), '/me/password', 'a first login must land on the password page');
  assert.equal(await h1(), '首次登录，请设置新密码');
  assert.match(await page.getByRole('alert').innerText(), /首次登录或密码被重置后须先修改密码/);
  // Other pages are not reachable until the password is changed.
  await goto('/system/users');
  assert.equal(pathOf(), '/me/password', 'pages other than /me/password must redirect there while the password is the initial one');
  await shot(page, '02-forced-password-change.png');
});

step('03 a too-weak new password is rejected beside the field (422)', async () => {
  const response = await changePassword(adminPassword, 'abc123');
  assert.equal(response.status(), 422);
  assert.equal(pathOf(), '/me/password');
  const fieldBox = page.locator('.field', { has: page.locator('#f-new_password') });
  assert.match(await fieldBox.locator('.field-error').innerText(), /密码至少 8 位/);
  // Passwords are never echoed back.
  assert.equal(await field(page, '新密码').inputValue(), '');
  await shot(page, '03-password-too-weak.png');
});

step('04 a good new password leads to the workbench', async () => {
  const response = await changePassword(adminPassword, ADMIN_NEW_PASSWORD);
  assert.equal(response.status(), 200);
  assert.equal(pathOf(), '/');
  assert.equal(await h1(), '系统管理员，您好');
  assert.equal(await toastText(page), '密码已修改');
  const nav = await moduleNav();
  for (const m of ['工作台', '房产', '系统']) assert.ok(nav.includes(m), `top nav lacks ${m}: ${nav.join(', ')}`);
  await shot(page, '04-admin-workbench.png');
});

step('05 the system module lists the org tree with the root 集团', async () => {
  await clickAndWait(page, page.getByRole('navigation', { name: '模块导航' }).getByRole('link', { name: '系统' }));
  assert.match(pathOf(), /^\/system/);
  const side = page.getByRole('complementary', { name: '功能导航' });
  const sideLinks = (await side.getByRole('link').allInnerTexts()).map((s) => s.trim());
  for (const l of ['组织架构', '用户', '角色权限', '公告', '辅助资料', '编号规则', '工作日历', '操作日志', '登录日志']) {
    assert.ok(sideLinks.includes(l), `system side nav lacks ${l}: ${sideLinks.join(', ')}`);
  }
  await clickAndWait(page, side.getByRole('link', { name: '组织架构' }));
  assert.equal(pathOf(), '/system/org');
  assert.equal(await h1(), '组织架构');
  const root = rowWith('集团').first();
  await root.waitFor();
  assert.match(await root.innerText(), /集团/);
  await shot(page, '05-org-tree.png');
});

step('06 the org form keeps the input and explains a missing name', async () => {
  await clickAndWait(page, page.getByRole('link', { name: '新增组织' }));
  assert.equal(pathOf(), '/system/org/new');
  assert.equal(await h1(), '新增组织');
  await chooseOption(field(page, '上级组织'), '集团（集团）');
  await field(page, '组织类型').selectOption({ label: '公司' });
  await field(page, '编码').fill('SZ01');
  await field(page, '排序').fill('3');
  const response = await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.equal(response.status(), 422);
  const nameBox = page.locator('.field', { has: page.locator('#f-name') });
  assert.match(await nameBox.locator('.field-error').innerText(), /请填写名称/);
  // Everything else the user typed is still there.
  assert.equal(await field(page, '编码').inputValue(), 'SZ01');
  assert.equal(await field(page, '排序').inputValue(), '3');
  assert.equal(await field(page, '组织类型').inputValue(), 'company');
  assert.match(await field(page, '上级组织').locator('option:checked').innerText(), /集团（集团）/);
  // The first field in error gets the focus.
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'f-name');
  await shot(page, '06-org-name-required.png');
});

step('07 create the company under 集团', async () => {
  await field(page, '名称').fill(COMPANY);
  const response = await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.equal(response.status(), 200);
  assert.equal(pathOf(), '/system/org');
  assert.equal(await toastText(page), `已新增“${COMPANY}”`);
  const row = rowWith(COMPANY);
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /公司/);
  assert.match(await row.innerText(), /SZ01/);
  assert.match(await row.innerText(), /启用/);
  await shot(page, '07-company-created.png');
});

step('08 新增下级 on the company row preselects it; create the office', async () => {
  await clickAndWait(page, rowWith(COMPANY).getByRole('link', { name: '新增下级' }));
  assert.equal(pathOf(), '/system/org/new');
  assert.match(await field(page, '上级组织').locator('option:checked').innerText(), new RegExp(COMPANY));
  assert.equal(await field(page, '组织类型').inputValue(), 'office');
  await shot(page, '08-office-form.png');
  await field(page, '名称').fill(OFFICE);
  await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.equal(pathOf(), '/system/org');
  assert.equal(await toastText(page), `已新增“${OFFICE}”`);
  const row = rowWith(OFFICE);
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), /管理处/);
  // An office has no children, so it offers no 新增下级.
  assert.equal(await row.getByRole('link', { name: '新增下级' }).count(), 0);
  // The tree order: 集团, then the company, then its office.
  const names = await page.locator('table.data tbody tr td:first-child').allInnerTexts();
  const iGroup = names.findIndex((n) => n.includes('集团'));
  const iCompany = names.findIndex((n) => n.includes(COMPANY));
  const iOffice = names.findIndex((n) => n.includes(OFFICE));
  assert.ok(iGroup < iCompany && iCompany < iOffice, `unexpected tree order: ${names.join(' / ')}`);
  await shot(page, '09-office-created.png');
});

step('09 create a project in the new office', async () => {
  await clickAndWait(page, page.getByRole('navigation', { name: '模块导航' }).getByRole('link', { name: '房产' }));
  await goto('/property/projects');
  await clickAndWait(page, page.getByRole('link', { name: '新增项目' }));
  await field(page, '项目编码').fill(PROJECT_CODE);
  await field(page, '项目名称').fill(PROJECT);
  await chooseOption(field(page, '所属管理处'), OFFICE);
  await field(page, '地址').fill('深圳市南山区测试路 1 号');
  await shot(page, '10-project-form.png');
  const response = await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.equal(response.status(), 200);
  assert.ok(await toastText(page), 'saving a project shows no toast');
  await goto('/property/projects');
  const row = rowWith(PROJECT);
  assert.equal(await row.count(), 1, `${PROJECT} is not listed on /property/projects`);
  assert.match(await row.innerText(), new RegExp(PROJECT_CODE));
  await shot(page, '11-projects.png');
});

step('10 "/" focuses the list search box; searching filters the list in place', async () => {
  assert.equal(pathOf(), '/property/projects');
  await page.locator('main h1').click(); // make sure no input has the focus
  await page.keyboard.press('/');
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    return a ? `${a.tagName.toLowerCase()}[type=${a.getAttribute('type')}]` : '';
  });
  assert.equal(focused, 'input[type=search]', '"/" did not focus the search box');
  // The "/" must not have been typed into the box.
  assert.equal(await page.locator('input[type=search]').inputValue(), '');
  await page.keyboard.type('不存在的项目');
  await page.keyboard.press('Enter');
  await page.waitForURL(/[?&]q=/);
  await page.locator('td.empty').waitFor();
  assert.equal(await rowWith(PROJECT).count(), 0);
  await shot(page, '12-project-search-empty.png');
  await page.locator('input[type=search]').fill(PROJECT);
  await page.keyboard.press('Enter');
  await rowWith(PROJECT).waitFor();
  assert.match(page.url(), /q=/);
});

step('11 create the role 测试客服 with two permissions', async () => {
  await goto('/system/roles');
  assert.equal(await h1(), '角色权限');
  await clickAndWait(page, page.getByRole('link', { name: '新增角色' }));
  await field(page, '角色名称').fill(ROLE);
  await chooseOption(field(page, '所属组织'), COMPANY);
  await field(page, '说明').fill('只能查看房产资料和公告');
  // Permission groups are headed by module names.
  const groups = (await page.locator('.check-group').allInnerTexts()).map((s) => s.trim());
  for (const g of ['房产资料', '用户']) assert.ok(groups.includes(g), `no permission group ${g}: ${groups.join(', ')}`);
  const viewProperty = page.locator('input[name=permissions][value="property.view"]');
  const viewAnnouncements = page.locator('input[name=permissions][value="announcement.view"]');
  await viewProperty.check();
  await viewAnnouncements.check();
  // The checkbox is labelled with the action a person reads.
  assert.match(await viewProperty.locator('xpath=..').innerText(), /查看/);
  assert.equal(await page.locator('input[name=permissions]:checked').count(), 2);
  await shot(page, '13-role-form.png');
  const response = await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.equal(response.status(), 200);
  assert.ok(await toastText(page), 'saving a role shows no toast');
  await goto('/system/roles');
  assert.equal(await rowWith(ROLE).count(), 1, `${ROLE} is not listed on /system/roles`);
  await shot(page, '14-roles.png');
});

step('12 create the user tester1 in the office with that role', async () => {
  await goto('/system/users');
  await clickAndWait(page, page.getByRole('link', { name: '新增用户' }));
  await field(page, '登录名').fill(USER_LOGIN);
  await field(page, '姓名').fill(USER_NAME);
  await field(page, '手机').fill('13800138000');
  await chooseOption(field(page, '所属组织'), OFFICE);
  await field(page, '初始密码').fill(USER_INITIAL_PASSWORD);
  await page.getByLabel(ROLE).check();
  await page.getByLabel('可访问本公司全部项目').check();
  await shot(page, '15-user-form.png');
  const response = await clickAndWait(page, page.getByRole('button', { name: '保存' }));
  assert.equal(response.status(), 200);
  assert.match(pathOf(), /^\/system\/users\/\d+\/edit$/, `after saving a user we are on ${pathOf()}`);
  assert.ok(await toastText(page), 'saving a user shows no toast');
  // The edit page shows what was saved.
  assert.equal(await field(page, '登录名').inputValue(), USER_LOGIN);
  assert.equal(await field(page, '姓名').inputValue(), USER_NAME);
  assert.ok(await page.getByLabel(ROLE).isChecked(), 'the role is not checked on the edit page');
  assert.ok(await page.getByLabel('可访问本公司全部项目').isChecked(), 'all_projects is not checked on the edit page');
  await shot(page, '16-user-created.png');
  await goto('/system/users');
  const row = rowWith(USER_LOGIN);
  assert.equal(await row.count(), 1);
  assert.match(await row.innerText(), new RegExp(`${USER_NAME}[\\s\\S]*${OFFICE}[\\s\\S]*${ROLE}`));
  assert.match(await row.locator('.tag').innerText(), /待修改初始密码/);
  await shot(page, '17-users.png');
});

step('13 the admin logs out', async () => {
  await logout('系统管理员');
  // The session is gone: a protected page sends us back to the login page.
  await goto('/system/users');
  assert.equal(pathOf(), '/login');
  await shot(page, '18-logged-out.png');
});

step('14 tester1 logs in and must change the initial password', async () => {
  await login(USER_LOGIN, USER_INITIAL_PASSWORD);
  assert.equal(pathOf(), '/me/password');
  assert.equal(await h1(), '首次登录，请设置新密码');
  // The new password must differ from a mismatching confirmation.
  let response = await changePassword(USER_INITIAL_PASSWORD, USER_PASSWORD, USER_PASSWORD + 'x');
  assert.equal(response.status(), 422);
  assert.ok(
    (await page.locator('.field-error').count()) > 0,
    'a mismatching confirmation shows no error beside the fields',
  );
  await shot(page, '19-tester-password-mismatch.png');
  response = await changePassword(USER_INITIAL_PASSWORD, USER_PASSWORD);
  assert.equal(response.status(), 200);
  assert.equal(pathOf(), '/');
  assert.equal(await h1(), `${USER_NAME}，您好`);
  assert.equal(await toastText(page), '密码已修改');
  await shot(page, '20-tester-workbench.png');
});

step('15 tester1 sees only what the role allows', async () => {
  const nav = await moduleNav();
  assert.ok(nav.includes('工作台'), `top nav lacks 工作台: ${nav.join(', ')}`);
  assert.ok(nav.includes('房产'), `top nav lacks 房产: ${nav.join(', ')}`);
  // The role grants no system administration. Its announcement.view opens the
  // 公告 page, which lives in the 系统 module, so 系统 may appear, but then it
  // must lead to 公告 and nothing else of the module.
  if (nav.includes('系统')) {
    const system = page.getByRole('navigation', { name: '模块导航' }).getByRole('link', { name: '系统' });
    assert.equal(await system.getAttribute('href'), '/system/announcements', 'the 系统 tab of tester1 leads past 公告');
    await clickAndWait(page, system);
    assert.equal(pathOf(), '/system/announcements');
    assert.equal(await h1(), '公告');
    const side = (await page.locator('aside.sidenav a').allInnerTexts()).map((s) => s.trim());
    for (const l of ['组织架构', '用户', '角色权限', '辅助资料', '编号规则', '工作日历', '操作日志', '登录日志']) {
      assert.ok(!side.includes(l), `tester1 is offered ${l}: ${side.join(', ')}`);
    }
    await shot(page, '21-tester-system-announcements.png');
  }
  assert.match(await page.locator('details.user-menu > summary').innerText(), new RegExp(USER_NAME));

  let response = await goto('/property/projects');
  assert.equal(response.status(), 200);
  assert.equal(await rowWith(PROJECT).count(), 1, `${PROJECT} is not visible to ${USER_LOGIN}`);
  // property.view only: no create or edit.
  assert.equal(await page.getByRole('link', { name: '新增项目' }).count(), 0, 'a view-only user is offered 新增项目');
  assert.equal(await rowWith(PROJECT).getByRole('link', { name: '编辑' }).count(), 0, 'a view-only user is offered 编辑');
  await shot(page, '22-tester-projects.png');

  response = await goto('/system/users');
  assert.equal(response.status(), 403);
  assert.match(await page.locator('h1').innerText(), /没有权限/);
  await shot(page, '23-tester-forbidden.png');

  response = await goto('/property/projects/new');
  assert.equal(response.status(), 403, 'a view-only user can open the new-project form');
});

// A user with property.view but not org.view still sees each project's
// management office, and can filter by it.
step('tester1 sees which office 测试花园 belongs to', async () => {
  await goto('/property/projects');
  assert.match(await rowWith(PROJECT).innerText(), new RegExp(OFFICE), 'the 管理处 column is empty');
  const filter = page.getByRole('search').locator('select[name=org_unit_id]');
  assert.ok((await filter.locator('option', { hasText: OFFICE }).count()) === 1, `the 管理处 filter lacks ${OFFICE}`);
});

// The empty announcement list only suggests 新增公告 to users who have it.
step('the empty 公告 list does not point a reader to a missing 新增公告 button', async () => {
  await goto('/system/announcements');
  assert.equal(await page.getByRole('link', { name: '新增公告' }).count(), 0);
  assert.doesNotMatch(await page.locator('td.empty').innerText(), /新增公告/);
});

step('16 tester1 logs out; the admin logs in with the new password', async () => {
  await goto('/');
  await logout(USER_NAME);
  // The one-time password no longer works.
  await login(ADMIN, adminPassword);
  assert.equal(pathOf(), '/login');
  assert.match(await page.getByRole('alert').innerText(), /用户名或密码错误/);
  const response = await login(ADMIN, ADMIN_NEW_PASSWORD);
  assert.equal(response.status(), 200);
  assert.equal(pathOf(), '/', 'the admin should no longer be forced to change the password');
  assert.equal(await h1(), '系统管理员，您好');
});

step('17 停用 asks for confirmation; 取消 leaves the user enabled', async () => {
  await goto('/system/users');
  const row = rowWith(USER_LOGIN);
  assert.match(await row.locator('.tag').innerText(), /正常/);
  await row.getByRole('button', { name: '停用' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  assert.match(await dialog.innerText(), new RegExp(`停用后“${USER_NAME}”将无法登录`));
  await shot(page, '24-disable-dialog.png');
  await dialog.getByRole('button', { name: '取消' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(pathOf(), '/system/users');
  await goto('/system/users');
  assert.match(await rowWith(USER_LOGIN).locator('.tag').innerText(), /正常/, 'cancelling the dialog still disabled the user');
});

step('18 confirming disables the user, who then cannot log in; 启用 restores', async () => {
  await rowWith(USER_LOGIN).getByRole('button', { name: '停用' }).click();
  const dialog = page.locator('dialog[open]');
  await dialog.waitFor();
  await clickAndWait(page, dialog.getByRole('button', { name: '确定' }));
  assert.equal(pathOf(), '/system/users');
  assert.match(await toastText(page), /^已停用/);
  assert.match(await rowWith(USER_LOGIN).locator('.tag').innerText(), /已停用/);
  await shot(page, '25-user-disabled.png');

  // A disabled user is refused at the login page (in a second browser).
  const other = await launch();
  try {
    const p = other.pages()[0] || (await other.newPage());
    p.setDefaultTimeout(TIMEOUT);
    await p.goto(url('/login'));
    await field(p, '用户名').fill(USER_LOGIN);
    await field(p, '密码').fill(USER_PASSWORD);
    await clickAndWait(p, p.getByRole('button', { name: '登录' }));
    assert.equal(new URL(p.url()).pathname, '/login', 'a disabled user could log in');
    assert.ok(await p.getByRole('alert').count(), 'no error shown to a disabled user');
    await shot(p, '26-disabled-user-login.png');
  } finally {
    await other.close();
  }

  // 启用 needs no confirmation.
  await clickAndWait(page, rowWith(USER_LOGIN).getByRole('button', { name: '启用' }));
  assert.match(await toastText(page), /^已启用/);
  assert.match(await rowWith(USER_LOGIN).locator('.tag').innerText(), /正常/);
});

step('19 the audit log records the creations', async () => {
  const response = await goto('/system/audit');
  assert.equal(response.status(), 200);
  assert.equal(await h1(), '操作日志');
  const text = await page.locator('table.data tbody').innerText();
  for (const summary of [
    `新增公司“${COMPANY}”`,
    `新增管理处“${OFFICE}”`,
    `新增项目“${PROJECT}”`,
    `新增角色“${ROLE}”`,
    `新增用户 ${USER_NAME}（${USER_LOGIN}）`,
  ]) {
    assert.ok(text.includes(summary), `audit log lacks "${summary}"`);
  }
  await shot(page, '27-audit.png');
  // A row opens its detail page.
  await clickAndWait(page, rowWith(`新增用户 ${USER_NAME}`).getByRole('link', { name: '详情' }));
  assert.match(pathOf(), /^\/system\/audit\/\d+$/);
  assert.match(await page.locator('main').innerText(), new RegExp(USER_LOGIN));
  await shot(page, '28-audit-detail.png');
});

step('20 the login log shows successes and the failed attempt', async () => {
  const response = await goto('/system/logins');
  assert.equal(response.status(), 200);
  assert.equal(await h1(), '登录日志');
  const rows = page.locator('table.data tbody tr');
  assert.ok((await rows.count()) >= 4, `expected at least 4 login rows, got ${await rows.count()}`);
  assert.ok((await rows.filter({ hasText: USER_LOGIN }).filter({ hasText: '成功' }).count()) >= 1, 'no successful tester1 login');
  assert.ok((await rows.filter({ hasText: ADMIN }).filter({ hasText: '失败' }).count()) >= 1, 'no failed admin login');
  await shot(page, '29-logins.png');
  // Filter to failures only (the search form is htmx-boosted).
  await page.getByRole('search').locator('select[name=success]').selectOption('0');
  await page.getByRole('search').getByRole('button', { name: '查询' }).click();
  await page.waitForURL(/success=0/);
  await page.locator('table.data tbody tr').first().waitFor();
  const texts = await page.locator('table.data tbody tr').allInnerTexts();
  assert.ok(texts.length >= 1 && texts.every((t) => t.includes('失败')), `filter 失败 shows: ${texts.join(' | ')}`);
});

step('21 the API docs page renders swagger-ui', async () => {
  const response = await goto('/api/docs');
  assert.equal(response.status(), 200);
  await page.locator('.swagger-ui .info .title').waitFor();
  await page.locator('.swagger-ui .opblock').first().waitFor();
  assert.ok((await page.locator('.swagger-ui .opblock').count()) > 3, 'swagger-ui lists hardly any operations');
  await shot(page, '30-api-docs.png');
});

// ---------- checks of fixed defects ----------

// The org tree search keeps matching units and their ancestors.
step('searching the org tree for the company hides the office below it', async () => {
  await goto('/system/org');
  await page.locator('input[type=search]').fill('测试物业');
  await page.keyboard.press('Enter');
  await page.waitForURL(/[?&]q=/);
  await page.locator('table.data tbody tr').first().waitFor();
  assert.equal(await page.locator('input[type=search]').inputValue(), '测试物业', 'the search box lost the query');
  const names = (await page.locator('table.data tbody tr td:first-child').allInnerTexts()).map((n) => n.replace(/[\s　└]+/g, ''));
  assert.ok(names.includes(COMPANY), `the company is listed: ${names.join(' / ')}`);
  assert.ok(!names.includes(OFFICE), `the office does not match: ${names.join(' / ')}`);
  await shot(page, '31-org-search.png');
});

// Date filters in the search row are date pickers, not drop-downs.
step('the login log offers date pickers for 开始日期 and 结束日期', async () => {
  await goto('/system/logins');
  const search = page.getByRole('search');
  assert.equal(await search.locator('input[type=date][name=from]').count(), 1, '开始日期 is not a date input');
  assert.equal(await search.locator('input[type=date][name=to]').count(), 1, '结束日期 is not a date input');
});
