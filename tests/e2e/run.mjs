// End-to-end tests of the clientele web console in headless Chromium.
//
//   cargo build --bin clientele
//   CLIENTELE_BIN=$PWD/target/debug/clientele node tests/e2e/run.mjs
//
// Starts `clientele serve` on a fresh 300-customer demo database (seed 7, today 2026-11-27), runs
// every test in its own page and prints `ok - name` / `not ok - name`. A failing test leaves a
// screenshot in tests/e2e/screenshots/. Exits 1 if any test failed. Set E2E_ONLY=substring to
// run only the tests whose name contains it. The accessibility test injects axe-core (a
// devDependency: `npm ci` here installs it with playwright-core).
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer, TODAY } from './server.mjs';
import { parseCsv, parseCsvTable } from './csv.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const SCREENSHOTS = join(HERE, 'screenshots');
const TEST_TIMEOUT_MS = 30_000;
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// SPEC §4: the CSV header, exactly.
const CSV_COLUMNS =
  'id,company,account_name,account_type,status,contact_first_name,contact_last_name,email,phone,address,city,state,postal_code,country,time_zone,language,products,licenses,license_status,next_expiry,threat_system_action_required,threat_system_warning,license_action_required,license_warning,needs_attention,managed,wfbs_template,cloud_edge_template,last_transaction,created_at,notes'.split(
    ',',
  );

const tests = [];
function test(name, fn) {
  tests.push({ name, fn });
}

// ---------------------------------------------------------------- helpers

/** Ids of the customer rows on the current list page, in order. */
async function rowIds(page) {
  return page.locator('#customers tr[data-testid=customer-row]').evaluateAll((rows) => rows.map((r) => r.dataset.id));
}

/** The total from `#result-count` ("Showing 1–50 of 1,234 customers"; "No customers match." is 0). */
async function resultTotal(page) {
  const text = (await page.locator('#result-count').innerText()).trim();
  if (/^No customers match/.test(text)) return 0;
  const m = /\bof ([\d,]+) customers?\b/.exec(text);
  assert.ok(m, `#result-count does not say "… of N customers": ${JSON.stringify(text)}`);
  return Number(m[1].replaceAll(',', ''));
}

/** The company link text of the row with this id. */
async function companyOf(page, id) {
  return page.locator(`#customers tr[data-testid=customer-row][data-id="${id}"] [data-testid=customer-link]`).textContent();
}

/** Clicks something that starts a download; returns { download, text }. */
async function download(page, click) {
  const [dl] = await Promise.all([page.waitForEvent('download'), click()]);
  const failure = await dl.failure();
  assert.equal(failure, null, `the download failed: ${failure}`);
  const path = await dl.path();
  return { download: dl, text: readFileSync(path, 'utf8') };
}

/** The rows of a task table (#preview-table / #result-table) as [{ id, outcome, reason }]. */
async function taskRows(page, tableId) {
  return page.locator(`#${tableId} tbody tr[data-id]`).evaluateAll((rows) =>
    rows.map((r) => ({ id: r.dataset.id, outcome: r.dataset.outcome, reason: r.cells[2]?.textContent.trim() ?? '' })),
  );
}

function url(base, path) {
  return new URL(path, base).href;
}

// ---------------------------------------------------------------- tests

test('filter the list: shareable URL, smaller total, every row expired, same view after reload', async ({ page, base }) => {
  await page.goto(base);
  const all = await resultTotal(page);
  assert.ok(all >= 300, `the demo database should list 300 customers, the list says ${all}`);

  await page.fill('#filter-q', 'COM');
  await page.selectOption('#filter-license', 'expired');
  await page.selectOption('#filter-account_type', 'lmp');
  await Promise.all([page.waitForURL(/\?/), page.click('#filter-apply')]);

  const u = new URL(page.url());
  assert.equal(u.searchParams.get('q'), 'COM', `the URL does not carry q: ${u}`);
  assert.equal(u.searchParams.get('license'), 'expired', `the URL does not carry license: ${u}`);
  assert.equal(u.searchParams.get('account_type'), 'lmp', `the URL does not carry account_type: ${u}`);

  const total = await resultTotal(page);
  assert.ok(total > 0 && total < all, `the filtered total ${total} should be between 1 and ${all - 1}`);
  const checkView = async () => {
    const rows = page.locator('#customers tr[data-testid=customer-row]');
    const n = await rows.count();
    assert.equal(n, Math.min(total, 50), `${n} rows shown for a total of ${total}`);
    for (let i = 0; i < n; i++) {
      const row = rows.nth(i);
      const text = (await row.innerText()).toLowerCase();
      assert.ok(text.includes('com'), `row ${i + 1} does not show the search text "com": ${text}`);
      assert.match(text, /\blmp\b/, `row ${i + 1} is not an LMP customer: ${text}`);
      // The reasons fold under the counts (a <details>): their text is there, shown on a click.
      const reasons = await row.locator('[data-testid=license-events-reasons]').textContent().catch(() => '');
      assert.match(reasons, /expired/i, `row ${i + 1}'s License events column does not say expired: ${JSON.stringify(reasons)}`);
    }
    // The form shows the filter it applied.
    assert.equal(await page.inputValue('#filter-q'), 'COM');
    assert.equal(await page.inputValue('#filter-license'), 'expired');
    assert.equal(await page.inputValue('#filter-account_type'), 'lmp');
  };
  await checkView();
  const idsBefore = await rowIds(page);

  // Shareable: the same URL, loaded afresh, gives the same view.
  const shared = page.url();
  await page.reload();
  assert.equal(page.url(), shared);
  assert.equal(await resultTotal(page), total);
  assert.deepEqual(await rowIds(page), idsBefore);
  await checkView();
  const other = await page.context().newPage();
  try {
    await other.goto(shared);
    assert.deepEqual(await rowIds(other), idsBefore, 'the same URL in a new tab shows other rows');
  } finally {
    await other.close();
  }
});

test('renew the expired licences of two LMP customers: preview, confirm, result, detail', async ({ page, base }) => {
  const listUrl = url(base, '/?account_type=lmp&license=expired');
  await page.goto(listUrl);
  const before = await resultTotal(page);
  const ids = (await rowIds(page)).slice(0, 2);
  assert.equal(ids.length, 2, 'fewer than two LMP customers with expired licences in the demo data');
  for (const id of ids) await page.check(`#select-${id}`);
  await expectText(page, '#selected-count', /2 selected/);

  await Promise.all([page.waitForURL(/\/tasks\/renew$/), page.click('#task-renew')]);
  await page.waitForSelector('#preview-table');
  const preview = await taskRows(page, 'preview-table');
  assert.deepEqual(preview.map((r) => r.id).sort(), [...ids].sort(), 'the preview lists other customers than the two ticked');
  for (const r of preview) assert.equal(r.outcome, 'ok', `preview of customer ${r.id}: ${r.outcome} (${r.reason})`);
  await expectText(page, '[data-testid=preview-summary]', /2 customers affected/);

  await Promise.all([page.waitForURL(/\/runs\/\d+/), page.click('#confirm-button')]);
  await page.waitForSelector('#result-table');
  const result = await taskRows(page, 'result-table');
  assert.deepEqual(result.map((r) => r.id).sort(), [...ids].sort());
  for (const r of result) assert.equal(r.outcome, 'ok', `result for customer ${r.id}: ${r.outcome} (${r.reason})`);
  await expectText(page, '[data-testid=result-summary]', /2 customers done/);

  // Back to the filtered list: the two are no longer in it.
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('#back-to-list')]);
  const back = new URL(page.url()).searchParams;
  assert.equal(back.get('account_type'), 'lmp', `"Back to the customer list" lost the filter: ${page.url()}`);
  assert.equal(back.get('license'), 'expired', `"Back to the customer list" lost the filter: ${page.url()}`);
  assert.equal(await resultTotal(page), before - 2, 'the expired-LMP total did not drop by two after renewing');
  const now = await rowIds(page);
  for (const id of ids) assert.ok(!now.includes(id), `customer ${id} is still listed as expired`);

  for (const id of ids) {
    await page.goto(url(base, `/customers/${id}`));
    const status = await page.locator('.detail-head [data-status]').getAttribute('data-status');
    assert.notEqual(status, 'expired', `customer ${id}'s licence status is still expired on the detail page`);
    const expired = await page.locator('#license-table [data-status=expired]').count();
    assert.equal(expired, 0, `customer ${id} still has ${expired} expired licence(s) in #license-table`);
  }
});

test('export two ticked customers and "Export All" of a filter as RFC 4180 CSV', async ({ page, base }) => {
  await page.goto(base);
  const ids = (await rowIds(page)).slice(0, 2);
  const companies = [];
  for (const id of ids) {
    await page.check(`#select-${id}`);
    companies.push(await companyOf(page, id));
  }
  const { download: dl, text } = await download(page, () => page.click('#task-export'));
  assert.match(dl.suggestedFilename(), /\.csv$/, `the export's file name is ${dl.suggestedFilename()}`);
  const { header, rows } = parseCsvTable(text);
  assert.deepEqual(header, CSV_COLUMNS, 'the CSV header is not SPEC §4 exactly');
  assert.equal(rows.length, 2, `the export of two ticked customers has ${rows.length} data rows`);
  assert.deepEqual(rows.map((r) => r.id).sort(), [...ids].sort());
  assert.deepEqual(rows.map((r) => r.company).sort(), [...companies].sort(), 'the exported companies differ from the ticked ones');
  assert.ok(text.endsWith('\n') && !text.includes('\r\n'), 'the plain export should use \\n line ends');

  // Export All with a filter: every match, not only the page shown (LMP has more than 50).
  await page.goto(url(base, '/?account_type=lmp&limit=20'));
  const total = await resultTotal(page);
  assert.ok(total > 20, `the LMP filter should match more than a page (20), it matches ${total}`);
  const all = await download(page, () => page.click('#task-export-all'));
  const exported = parseCsvTable(all.text);
  assert.deepEqual(exported.header, CSV_COLUMNS);
  assert.equal(exported.rows.length, total, `Export All gave ${exported.rows.length} rows, the filter total is ${total}`);
  for (const r of exported.rows) assert.equal(r.account_type, 'LMP', `Export All of account_type=lmp holds ${r.account_type} customer ${r.id}`);
  assert.equal(new Set(exported.rows.map((r) => r.id)).size, total, 'Export All repeats customers');
});

test('new customer form: errors next to the fields keep the typed values; then it saves', async ({ page, base }) => {
  const company = 'Zoë & "Partners", <b>東京</b> 🚀';
  await page.goto(base);
  await Promise.all([page.waitForURL(/\/customers\/new$/), page.click('#task-new-customer')]);

  const fill = async (values) => {
    for (const [id, v] of Object.entries(values)) await page.fill(`#${id}`, v);
  };
  await fill({
    company,
    account_name: 'a b',
    contact_first_name: 'Zoë',
    contact_last_name: "O'Brien-Tanaka",
    email: 'not-an-email',
    city: 'Tōkyō',
    state: 'Tokyo',
    country: 'JP',
  });
  await page.check('#account_type-LMP');
  await page.selectOption('#plan-0', 'WFBS-S Standard 12 months');
  await page.fill('#units-0', '25');
  await page.fill('#start-0', '2026-11-01');
  const [response] = await Promise.all([page.waitForNavigation(), page.click('#save-customer')]);
  assert.equal(response.status(), 422, 'a rejected form should answer 422');

  await expectText(page, '#email-error', /@/);
  await expectText(page, '#account_name-error', /./);
  await page.waitForSelector('#error-summary');
  assert.equal(await page.getAttribute('#email', 'aria-invalid'), 'true');
  assert.match((await page.getAttribute('#email', 'aria-describedby')) ?? '', /\bemail-error\b/);
  assert.match((await page.getAttribute('#account_name', 'aria-describedby')) ?? '', /\baccount_name-error\b/);
  // The error sits next to its field, inside the same .field.
  assert.equal(await page.locator('.field:has(#email) #email-error').count(), 1, '#email-error is not next to #email');
  // Everything typed is kept, exactly.
  assert.equal(await page.inputValue('#company'), company);
  assert.equal(await page.inputValue('#account_name'), 'a b');
  assert.equal(await page.inputValue('#email'), 'not-an-email');
  assert.equal(await page.inputValue('#contact_first_name'), 'Zoë');
  assert.equal(await page.inputValue('#contact_last_name'), "O'Brien-Tanaka");
  assert.equal(await page.inputValue('#city'), 'Tōkyō');
  assert.equal(await page.inputValue('#country'), 'JP');
  assert.ok(await page.isChecked('#account_type-LMP'), 'the account type LMP is no longer chosen');
  assert.equal(await page.inputValue('#plan-0'), 'WFBS-S Standard 12 months');
  assert.equal(await page.inputValue('#units-0'), '25');
  assert.equal(await page.inputValue('#start-0'), '2026-11-01');
  // Nothing of the company leaked into the page as markup.
  assert.equal(await page.locator('main b').filter({ hasText: '東京' }).count(), 0, 'the company was rendered as HTML');

  await fill({ account_name: 'zoe-partners_jp', email: 'zoe@partners.example.jp' });
  await Promise.all([page.waitForURL((u) => /^\/customers\/\d+$/.test(u.pathname)), page.click('#save-customer')]);
  const name = page.locator('#customer-name');
  assert.equal(await name.textContent(), company, '#customer-name does not show the company exactly');
  assert.equal(await name.locator('b').count(), 0, '#customer-name renders the company as HTML');
  const lic = page.locator('#license-table tbody tr', { hasText: 'WFBS-S Standard 12 months' });
  assert.equal(await lic.count(), 1, 'the assigned plan is not in #license-table');

  // And it is in the list under that name.
  await page.goto(url(base, `/?q=${encodeURIComponent('zoe-partners_jp')}`));
  assert.equal(await resultTotal(page), 1);
  assert.equal(await page.locator('[data-testid=customer-link]').first().textContent(), company);
});

test('deleting a CLP customer that still holds licences is refused and the customer stays', async ({ page, base }) => {
  await page.goto(base);
  await page.selectOption('#filter-account_type', 'clp');
  await page.selectOption('#filter-license', 'normal');
  await Promise.all([page.waitForURL(/\?/), page.click('#filter-apply')]);
  const [id] = await rowIds(page);
  assert.ok(id, 'no CLP customer with normal licences in the demo data');
  const company = await companyOf(page, id);
  await page.check(`#select-${id}`);
  await Promise.all([page.waitForURL(/\/tasks\/delete$/), page.click('#task-delete')]);
  await page.waitForSelector('#preview-table');

  const rows = await taskRows(page, 'preview-table');
  assert.equal(rows.length, 1);
  assert.equal(rows[0].id, id);
  assert.equal(rows[0].outcome, 'skipped', `the preview would ${rows[0].outcome} a customer that holds licences`);
  assert.match(rows[0].reason, /licen[cs]e/i, `the skip reason does not mention licences: ${rows[0].reason}`);
  const confirm = page.locator('#confirm-button');
  if ((await confirm.count()) > 0) {
    assert.ok(await confirm.isDisabled(), 'an enabled confirm button is offered for a customer that cannot be deleted');
  }
  await page.waitForSelector('[data-testid=nothing-to-do]');

  await page.goto(url(base, `/customers/${id}`));
  assert.equal(await page.locator('#customer-name').textContent(), company, 'the customer is gone');
});

test('deleting a CLP customer without licences needs the confirm tick box, then it is gone', async ({ page, base }) => {
  await page.goto(url(base, '/?account_type=clp&license=none'));
  const [id] = await rowIds(page);
  assert.ok(id, 'no CLP customer without licences in the demo data');
  await page.check(`#select-${id}`);
  await Promise.all([page.waitForURL(/\/tasks\/delete$/), page.click('#task-delete')]);
  const rows = await taskRows(page, 'preview-table');
  assert.deepEqual(rows.map((r) => [r.id, r.outcome]), [[id, 'ok']]);

  // Confirm without the tick box: refused, nothing deleted.
  const [refused] = await Promise.all([page.waitForNavigation(), page.click('#confirm-button')]);
  assert.equal(refused.status(), 422, 'confirming a delete without the tick box should be refused');
  await page.waitForSelector('#confirm-delete');
  assert.equal(await page.locator('#result-table').count(), 0);

  await page.check('#confirm-delete');
  await Promise.all([page.waitForURL(/\/runs\/\d+/), page.click('#confirm-button')]);
  const result = await taskRows(page, 'result-table');
  assert.deepEqual(result.map((r) => [r.id, r.outcome]), [[id, 'ok']]);
  const gone = await page.goto(url(base, `/customers/${id}`));
  assert.equal(gone.status(), 404, `the deleted customer's page answers ${gone.status()}`);
});

/** How many audit entries the API lists (the newest 1,000). */
async function auditCount(page, base) {
  const r = await page.request.get(url(base, '/api/audit?limit=1000'));
  assert.equal(r.status(), 200);
  return (await r.json()).length;
}

test('policy settings: options changed after the preview turn Confirm into a new preview; nothing runs', async ({ page, base }) => {
  await page.goto(url(base, '/?account_type=lmp&product=wfbss&limit=5'));
  const [id] = await rowIds(page);
  assert.ok(id, 'no LMP customer with a wfbss licence in the demo data');
  await page.check(`#select-${id}`);
  await Promise.all([page.waitForURL(/\/tasks\/deploy-policy$/), page.click('#task-deploy-policy')]);
  await page.selectOption('#task-list', 'approved-urls');
  await page.check('#task-action-overwrite');
  await page.fill('#task-entries', 'https://a.example/');
  await Promise.all([page.waitForNavigation(), page.click('#preview-button')]);
  await page.waitForSelector('#confirm-button');
  // The Confirm button is at the top: visible without scrolling.
  const box = await page.locator('#confirm-button').boundingBox();
  assert.ok(box && box.y + box.height <= 900, `Confirm is ${box && box.y} px down, below the first screen`);

  const audit = await auditCount(page, base);
  // Change everything the preview showed, then press Confirm.
  await page.check('#task-action-append');
  await page.selectOption('#task-list', 'blocked-urls');
  await page.fill('#task-entries', 'https://b.example/');
  await Promise.all([page.waitForNavigation(), page.click('#confirm-button')]);
  await page.waitForSelector('[data-testid=changed-notice]');
  assert.equal(await auditCount(page, base), audit, 'a confirm after a change ran the task');
  const rows = await taskRows(page, 'preview-table');
  assert.match(rows[0].reason, /would add 1 to blocked-urls/, 'the new preview shows the options now chosen');

  // Confirmed as now previewed: it runs once and lands on its own result page.
  await Promise.all([page.waitForURL(/\/runs\/\d+/), page.click('#confirm-button')]);
  const result = await taskRows(page, 'result-table');
  assert.deepEqual(result.map((r) => [r.id, r.outcome]), [[id, 'ok']]);
  assert.match(result[0].reason, /1 added to blocked-urls/);
  const after = await auditCount(page, base);
  assert.equal(after, audit + 1);

  // Reloading the result is a GET of the stored run: the audit log does not grow.
  const reload = await page.reload();
  assert.equal(reload.request().method(), 'GET');
  assert.deepEqual((await taskRows(page, 'result-table')).map((r) => r.outcome), ['ok']);
  assert.equal(await auditCount(page, base), after, 'reloading the result ran the task again');
});

test('select all matching the filter: header box, then "Select all N matching", through to the result', async ({ page, base }) => {
  const filter = 'account_type=clp&status=active&license=none&limit=5';
  await page.goto(url(base, `/?${filter}`));
  const total = await resultTotal(page);
  assert.ok(total > 5, `the filter should match more than one page, it matches ${total}`);
  assert.equal(await page.locator('#select-matching-box').isVisible(), false, 'offered before the page is ticked');
  await page.check('#select-all');
  await page.check('#select-matching');
  await expectText(page, '#selected-count', new RegExp(`all ${total} matching selected`));
  await Promise.all([page.waitForURL(/\/tasks\/suspend$/), page.click('#task-suspend')]);
  await expectText(page, '[data-testid=selected-count]', new RegExp(`All ${total} customers matching`));
  await expectText(page, '[data-testid=preview-summary]', new RegExp(`${total} customers affected`));
  await Promise.all([page.waitForURL(/\/runs\/\d+/), page.click('#confirm-button')]);
  await expectText(page, '[data-testid=result-summary]', new RegExp(`${total} customers done`));
  // The API is the ground truth: every matching customer is suspended, not only the five shown.
  const api = await page.request.get(url(base, '/api/customers?account_type=clp&status=suspended&license=none&limit=1'));
  assert.ok((await api.json()).total >= total);
  // Back to the same filtered list; then put the customers back as they were.
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click('#back-to-list')]);
  assert.equal(new URL(page.url()).searchParams.get('license'), 'none');
  const undo = await page.request.post(url(base, '/api/tasks/reactivate'), {
    data: { filter: { account_type: 'clp', license: 'none', status: 'suspended' } },
  });
  assert.equal(undo.status(), 200);
});

test('a preview of 1,000 customers: totals and Confirm first, affected customers first, skipped ones grouped', async ({ page, browser }) => {
  const big = await startServer({ customers: 1000, seed: 5 });
  try {
    await page.goto(url(big.url, '/?limit=50&select=all'));
    await page.check('#select-matching');
    const t0 = Date.now();
    await Promise.all([page.waitForURL(/\/tasks\/renew$/), page.click('#task-renew')]);
    await page.waitForSelector('#preview-table');
    const ms = Date.now() - t0;
    console.log(`#   1,000-customer renew preview shown in ${ms} ms`);
    assert.ok(ms < 3000, `the preview took ${ms} ms`);
    await expectText(page, '[data-testid=selected-count]', /All 1,000 customers matching/);
    const box = await page.locator('#confirm-button').boundingBox();
    assert.ok(box && box.y + box.height <= 900, `Confirm is ${box && box.y} px down`);
    const groups = await page.locator('[data-testid=task-group]').evaluateAll((g) => g.map((e) => e.dataset.group));
    assert.equal(groups[0], 'ok', `affected customers are not first: ${groups}`);
    assert.ok(groups.some((g) => g.startsWith('skipped-')), 'no skipped group');
    const first = await page.locator('[data-group="skipped-0"] > summary').innerText();
    assert.match(first, /^\d+ skipped: /, first);
    const sizes = await page.locator("details[data-group^=skipped] > summary").evaluateAll((s) => s.map((e) => Number(e.textContent.split(" ")[0].replaceAll(",", ""))));
    assert.deepEqual(sizes, [...sizes].sort((a, b) => b - a), `skipped groups are not largest first: ${sizes}`);
    const rows = await page.locator('tr[data-testid=task-row]').count();
    assert.ok(rows <= 100 * groups.length, `${rows} rows rendered`);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    console.log(`#   page height ${height} px, ${rows} rows in ${groups.length} groups`);
  } finally {
    big.stop();
  }
});

test('renewal runway: one click from the list, every bar lists exactly the customers it counts', async ({ page, base }) => {
  await page.goto(base);
  await Promise.all([page.waitForURL(/\/runway$/), page.click('[data-testid=nav-runway]')]);
  const api = await (await page.request.get(url(base, '/api/runway'))).json();
  const bars = await page.locator('[data-testid=runway-bar]').evaluateAll((a) =>
    a.map((e) => ({ period: e.dataset.period, href: e.getAttribute('href') })),
  );
  assert.equal(bars.length, 13, 'expired plus twelve months');
  assert.equal(bars[0].period, 'expired');
  const periods = [api.expired, ...api.months];
  for (const [i, bar] of bars.entries()) {
    assert.equal(bar.period, periods[i].period);
    // The list the bar links to counts exactly the customers the API says the bar holds.
    const listed = await (await page.request.get(url(base, `/api/customers?limit=1&${bar.href.slice(2)}`))).json();
    assert.equal(listed.total, periods[i].customers, `${bar.period}: ${bar.href}`);
  }
  // Follow one bar in the browser: the list shows that total.
  const busiest = periods.reduce((a, b) => (b.customers > a.customers ? b : a));
  await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.click(`[data-testid=runway-bar][data-period="${busiest.period}"] .hit`)]);
  assert.equal(await resultTotal(page), busiest.customers);
  await page.goBack();
  for (const c of api.attention) {
    const href = await page.locator(`[data-testid=attention-bar][data-category=${c.category}]`).getAttribute('href');
    const listed = await (await page.request.get(url(base, `/api/customers?limit=1&${href.slice(2)}`))).json();
    assert.equal(listed.total, c.customers, href);
  }
  await page.setViewportSize({ width: 390, height: 844 });
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 390, `the runway scrolls sideways on a phone (${wide} px)`);
});

test('downloads are named: customers-DATE.csv (plain and for Excel) and COMPANY-firmware-DATE.eml', async ({ page, base }) => {
  await page.goto(url(base, '/?account_type=lmp&limit=10'));
  const plain = await download(page, () => page.click('#task-export-all'));
  assert.equal(plain.download.suggestedFilename(), `customers-${TODAY}.csv`);
  assert.ok(!plain.text.startsWith('\uFEFF'), 'the plain export starts with a byte-order mark');
  const excel = await download(page, () => page.click('#task-export-all-excel'));
  assert.equal(excel.download.suggestedFilename(), `customers-${TODAY}.csv`);
  assert.ok(excel.text.startsWith('\uFEFF'), 'the Excel export lacks the byte-order mark');
  assert.ok(excel.text.includes('\r\n'), 'the Excel export lacks CRLF line ends');

  // Queue firmware notifications, then download one from the outbox.
  const run = await page.request.post(url(base, '/api/tasks/update-firmware'), { data: { filter: { account_type: 'lmp' } } });
  assert.equal(run.status(), 200);
  assert.ok((await run.json()).ok > 0, 'the demo data has no LMP customer with outdated firmware');
  await page.goto(url(base, '/outbox'));
  const company = (await page.locator('[data-testid=outbox-company]').first().innerText()).trim();
  const mail = await download(page, () => page.locator('[data-testid=download-eml]').first().click());
  const name = mail.download.suggestedFilename();
  assert.match(name, /^[A-Za-z0-9_-]+-firmware-\d{4}-\d{2}-\d{2}\.eml$/, name);
  assert.ok(mail.text.includes('Subject: '), 'the .eml has no Subject header');
  assert.ok(company.length > 0, 'the outbox does not name the company');
});

test('keyboard: the first Tab reaches a visible skip link; filter fields have accessible names', async ({ page, base }) => {
  await page.goto(base);
  await page.keyboard.press('Tab');
  const focused = await page.evaluate(() => {
    const el = document.activeElement;
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return {
      tag: el.tagName,
      cls: el.className,
      href: el.getAttribute('href'),
      text: el.textContent.trim(),
      box: { x: r.x, y: r.y, w: r.width, h: r.height },
      outline: style.outlineStyle,
      visibility: style.visibility,
    };
  });
  assert.equal(focused.tag, 'A', `the first Tab focuses ${focused.tag}.${focused.cls}, not the skip link`);
  assert.equal(focused.href, '#main', `the first Tab focuses ${focused.href} (${focused.text}), not the skip link`);
  assert.match(focused.text, /skip/i);
  const { box } = focused;
  assert.ok(
    box.w > 10 && box.h > 10 && box.y >= 0 && box.x >= 0 && box.y + box.h <= 900 && focused.visibility === 'visible',
    `the focused skip link is not visible on screen: ${JSON.stringify(box)}`,
  );
  assert.notEqual(focused.outline, 'none', 'the focused skip link has no visible focus outline');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'main', 'the skip link does not move focus to main');

  // Filter fields are reachable by their labels.
  const labels = {
    Search: '#filter-q',
    'Account type': '#filter-account_type',
    Status: '#filter-status',
    'License status': '#filter-license',
    'Needs attention': '#filter-attention',
    Managed: '#filter-managed',
    'Sort by': '#filter-sort',
    'Rows per page': '#filter-limit',
    'Cloud Edge': '#filter-product-cloud-edge',
  };
  const filter = page.locator('#filter-form');
  for (const [label, sel] of Object.entries(labels)) {
    const byLabel = filter.getByLabel(label, { exact: true });
    assert.equal(await byLabel.count(), 1, `no single filter field labelled "${label}"`);
    const id = await byLabel.getAttribute('id');
    assert.equal(`#${id}`, sel, `the field labelled "${label}" is #${id}`);
  }
  // Row check boxes and the select-all box have names too.
  const [first] = await rowIds(page);
  const company = await companyOf(page, first);
  assert.equal(await page.getByLabel(`Select ${company}`, { exact: true }).getAttribute('id'), `select-${first}`);
  assert.equal(await page.getByLabel('Select all shown', { exact: true }).getAttribute('id'), 'select-all');

  // The filter can be applied from the keyboard alone: focus Search, type, Enter.
  await page.focus('#filter-q');
  await page.keyboard.type('gmbh');
  await Promise.all([page.waitForURL(/q=gmbh/), page.keyboard.press('Enter')]);
  assert.ok((await resultTotal(page)) > 0);
});

test('layout at 1440x900: the filter pane\'s "Apply filter" can be scrolled into view beside the list', async ({ page, base }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto(base);
  // What a user does: bring the button into view (scrolling the page, or the pane if it scrolls).
  const where = await page.evaluate(() => {
    const button = document.getElementById('filter-apply');
    button.scrollIntoView({ block: 'nearest' });
    const r = button.getBoundingClientRect();
    const pane = document.querySelector('#filter-form').closest('aside') ?? document.getElementById('filter-form');
    const style = getComputedStyle(pane);
    return {
      top: Math.round(r.top),
      bottom: Math.round(r.bottom),
      viewport: window.innerHeight,
      scrollY: Math.round(window.scrollY),
      pageHeight: document.documentElement.scrollHeight,
      pane: { height: Math.round(pane.getBoundingClientRect().height), position: style.position, overflowY: style.overflowY },
    };
  });
  // The sticky pane is never taller than the screen (it scrolls inside itself), so the button
  // is in view without scrolling to the end of the list.
  assert.ok(
    where.top >= 0 && where.bottom <= where.viewport + 1,
    `"Apply filter" stays out of view (top ${where.top}px, bottom ${where.bottom}px in a ${where.viewport}px viewport, ` +
      `page scrolled to ${where.scrollY} of ${where.pageHeight}px); the sticky filter pane is ${where.pane.height}px tall ` +
      `(position ${where.pane.position}, overflow-y ${where.pane.overflowY})`,
  );
});

/** How many customer rows lie wholly inside the viewport, with the page at its top. */
async function rowsInView(page) {
  return page.evaluate(() => {
    window.scrollTo(0, 0);
    const rows = [...document.querySelectorAll('#customers tr[data-testid=customer-row]')];
    const inView = rows.filter((r) => {
      const b = r.getBoundingClientRect();
      return b.top >= 0 && b.bottom <= window.innerHeight;
    });
    return { inView: inView.length, rows: rows.length, heights: rows.slice(0, 20).map((r) => Math.round(r.getBoundingClientRect().height)) };
  });
}

test('density at 1440x900: 15 whole rows on the list, 12 with ?attention=yes, the counts in view', async ({ page, base }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  for (const [path, least] of [['/', 15], ['/?attention=yes', 12]]) {
    await page.goto(url(base, path));
    const seen = await rowsInView(page);
    assert.ok(seen.rows >= least, `${path}: only ${seen.rows} rows on the page`);
    assert.ok(seen.inView >= least, `${path}: ${seen.inView} whole rows in a 1440x900 viewport (want ${least}); row heights ${seen.heights}`);
  }
  // In the attention view every row shows its counts; the reasons are one click away.
  const row = page.locator('#customers tr[data-testid=customer-row]').first();
  const badges = row.locator('[data-count]');
  assert.ok((await badges.count()) > 0, 'the first row of ?attention=yes shows no count');
  assert.ok(await badges.first().isVisible(), 'the count is not visible');
  const reasons = row.locator('details.reasons').first();
  const list = reasons.locator('ul');
  assert.ok(!(await list.isVisible()), 'the reasons show before they are asked for');
  await reasons.locator('summary').click();
  assert.ok(await list.isVisible(), 'a click on the counts does not show the reasons');
  assert.ok((await list.innerText()).trim().length > 0, 'the opened reasons are empty');
});

test('keyboard: skip links reach the filter and the list; the reasons open with Enter', async ({ page, base }) => {
  await page.goto(base);
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#filters');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'filters');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'filter-q', 'Tab after the filter skip link is not the search field');

  await page.goto(base);
  for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#customer-list');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'customer-list');
  // Tab from the list box goes into the table: the select-all control of the first column.
  await page.keyboard.press('Tab');
  const inTable = await page.evaluate(() => Boolean(document.activeElement.closest('#customers')));
  assert.ok(inTable, 'Tab after the list skip link does not land in the customer table');
  // Focus a row's counts and open the reasons with Enter.
  const summary = page.locator('#customers details.reasons > summary').first();
  await summary.focus();
  await page.keyboard.press('Enter');
  assert.ok(await page.locator('#customers details.reasons').first().evaluate((d) => d.open), 'Enter does not open the reasons');
});

test('phone at 390x844: no sideways page scroll on list, detail, forms and audit log; the filter folds', async ({ page, base }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base);
  const [first] = await rowIds(page);
  const widths = {};
  for (const path of ['/', '/?attention=yes', `/customers/${first}`, `/customers/${first}/edit`, '/customers/new', '/audit', '/settings', '/import']) {
    await page.goto(url(base, path));
    widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
  }
  const wide = Object.entries(widths).filter(([, w]) => w > 390);
  assert.deepEqual(wide, [], `pages wider than a 390 px phone: ${JSON.stringify(widths)}`);
  // The filter is folded above the list, and opens.
  await page.goto(base);
  assert.ok(!(await page.isVisible('#filter-q')), 'the filter is not folded on a phone');
  await page.click('#filters summary');
  assert.ok(await page.isVisible('#filter-q'), 'the folded filter does not open');
  // The table scrolls inside its own box.
  const box = await page.locator('#customer-list').evaluate((e) => ({ sw: e.scrollWidth, cw: e.clientWidth, ox: getComputedStyle(e).overflowX }));
  assert.equal(box.ox, 'auto');
  assert.ok(box.cw <= 390, `the table box is ${box.cw} px wide`);
});

/** Runs axe-core on the page as it is; fails naming every violation. */
async function axeClean(page, what) {
  await page.addScriptTag({ path: join(HERE, 'node_modules', 'axe-core', 'axe.min.js') });
  const { passes, violations } = await page.evaluate(async () => {
    const r = await window.axe.run(document);
    return {
      passes: r.passes.length,
      violations: r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`),
    };
  });
  assert.ok(passes > 10, `${what}: axe-core checked only ${passes} rules`);
  assert.deepEqual(violations, [], `${what}: axe-core violations`);
}

test('axe-core finds no accessibility violations on the list, a form, a preview, a result, the detail page and the runway', async ({ browser, base }) => {
  // The console's CSP refuses injected scripts; this context lets the checker in.
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  try {
    for (const path of ['/', '/?attention=yes&expires=2027-03', '/audit', '/customers/new', '/runway', '/runs']) {
      await page.goto(url(base, path));
      await axeClean(page, path);
    }
    await page.goto(url(base, '/?account_type=lmp&license=expired&limit=5'));
    const [id] = await rowIds(page);
    await page.goto(url(base, `/customers/${id}`));
    await axeClean(page, `/customers/${id}`);
    await page.goto(url(base, '/?account_type=lmp&product=wfbss&limit=5'));
    await page.check('#select-all');
    await Promise.all([page.waitForURL(/\/tasks\/deploy-policy$/), page.click('#task-deploy-policy')]);
    await axeClean(page, 'the policy options');
    await page.selectOption('#task-list', 'approved-urls');
    await page.fill('#task-entries', 'https://axe.example/');
    await Promise.all([page.waitForNavigation(), page.click('#preview-button')]);
    await page.waitForSelector('#confirm-button');
    await axeClean(page, 'a policy preview');
    await Promise.all([page.waitForURL(/\/runs\/\d+/), page.click('#confirm-button')]);
    await axeClean(page, 'a task result');
  } finally {
    await context.close();
  }
});

test('without JavaScript: the list renders, a filter submits, "Select all shown" is a link', async ({ browser, base }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(base);
    assert.ok((await rowIds(page)).length > 0, 'no customer rows without JavaScript');
    assert.ok(await page.isVisible('#select-all-link'), '#select-all-link is not visible without JavaScript');
    assert.ok(!(await page.isVisible('#select-all')), 'the script-only #select-all box shows without JavaScript');

    await page.selectOption('#filter-account_type', 'clp');
    await page.selectOption('#filter-status', 'suspended');
    await Promise.all([page.waitForURL(/\?/), page.click('#filter-apply')]);
    const u = new URL(page.url());
    assert.equal(u.searchParams.get('account_type'), 'clp');
    assert.equal(u.searchParams.get('status'), 'suspended');
    const total = await resultTotal(page);
    assert.ok(total > 0 && total < 300, `filter total ${total}`);

    // "Select all shown" ticks every shown row and keeps the filter.
    await Promise.all([page.waitForURL(/select=all/), page.click('#select-all-link')]);
    const after = new URL(page.url());
    assert.equal(after.searchParams.get('account_type'), 'clp', 'Select all shown lost the filter');
    const boxes = page.locator('#customers input[type=checkbox][name=ids]');
    const n = await boxes.count();
    assert.ok(n > 0);
    for (let i = 0; i < n; i++) assert.ok(await boxes.nth(i).isChecked(), `row ${i + 1} is not ticked after "Select all shown"`);

    // A task still works: Reactivate preview lists exactly the shown customers.
    await Promise.all([page.waitForURL(/\/tasks\/reactivate$/), page.click('#task-reactivate')]);
    const rows = await taskRows(page, 'preview-table');
    assert.equal(rows.length, n, 'the no-script task preview does not list every ticked customer');
  } finally {
    await context.close();
  }
});

test('import without JavaScript: Check and Import go to the job\'s own page, which ends on the result', async ({ browser, base }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  try {
    const exported = await page.request.get(url(base, '/api/customers.csv?account_type=clp'));
    assert.equal(exported.status(), 200);
    const csv = await exported.text();
    const before = await auditCount(page, base);

    // The job's page refreshes itself (a meta refresh, no script) until the report is there.
    const run = async (button) => {
      await page.goto(url(base, '/import'));
      // A file, as it is sent byte for byte (a text area's line ends become CRLF).
      await page.setInputFiles('#import-file', { name: 'clp.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await Promise.all([page.waitForURL(/\/import\/\d+$/), page.click(button)]);
      await page.waitForSelector('[data-testid=import-report]', { timeout: 20_000 });
      assert.equal(await page.locator('progress').count(), 0, 'the result still shows a progress bar');
      return page.url();
    };
    const checked = await run('#import-dry-run');
    await expectText(page, '#report-heading', /Dry run: nothing was written/);
    await expectText(page, '[data-testid=created]', /^0$/);
    await expectText(page, '[data-testid=rejected]', /^0$/);
    const rows = Number((await page.locator('[data-testid=unchanged]').innerText()).trim());
    assert.ok(rows > 10, `only ${rows} CLP rows checked`);
    assert.equal(await page.inputValue('#import-csv'), csv, 'the checked CSV is not in the form again');

    const imported = await run('#import-run');
    assert.notEqual(imported, checked, 'two imports share one page');
    await expectText(page, '#flash', new RegExp(`Import finished: 0 created, 0 updated, ${rows} unchanged`));
    // The page is a result, not an action: loading it again runs nothing.
    await page.reload();
    await expectText(page, '[data-testid=unchanged]', new RegExp(`^${rows}$`));
    assert.equal(await auditCount(page, base), before, 'an import that changes nothing wrote to the audit log');
  } finally {
    await context.close();
  }
});

test('a long import without JavaScript: a labelled bar that reloads by itself (or not), axe-clean, then the report', async ({ browser, base }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  try {
    // 2,000 new customers made from one exported CLP row; checked only (a dry run).
    const exported = await (await page.request.get(url(base, '/api/customers.csv?account_type=clp&limit=1'))).text();
    const [header, row] = parseCsv(exported);
    const cell = (v) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
    const company = header.indexOf('company');
    const account = header.indexOf('account_name');
    const n = 2_000;
    const lines = [header.join(',')];
    for (let i = 1; i <= n; i++) {
      const r = [...row];
      r[company] = `E2E Long ${i}`;
      r[account] = `e2e-long-${i}`;
      lines.push(r.map(cell).join(','));
    }
    const csv = lines.join('\n') + '\n';
    await page.goto(url(base, '/import'));
    await page.setInputFiles('#import-file', { name: 'long.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await Promise.all([page.waitForURL(/\/import\/\d+$/), page.click('#import-dry-run')]);
    const job = new URL(page.url()).pathname;
    if ((await page.locator('progress#import-progress').count()) > 0) {
      assert.equal(await page.locator('label[for=import-progress]').innerText(), 'Lines read');
      await expectText(page, '#import-status[aria-live=polite]', /of [\d,]+ lines read \(\d+%\)/);
      // Its first link stops the reloading: the page then stays, and axe finds nothing.
      await Promise.all([page.waitForURL(/refresh=off$/), page.click('[data-testid=stop-refreshing]')]);
      if ((await page.locator('progress#import-progress').count()) > 0) {
        // axe needs script: the same page in a second context that lets the checker in.
        const scripted = await browser.newContext({ bypassCSP: true, viewport: { width: 1440, height: 900 } });
        try {
          const checker = await scripted.newPage();
          await checker.goto(page.url());
          if ((await checker.locator('progress#import-progress').count()) > 0) await axeClean(checker, 'a running import');
        } finally {
          await scripted.close();
        }
        await page.waitForTimeout(2500);
        assert.ok(page.url().endsWith('?refresh=off'), `the page reloaded itself after all: ${page.url()}`);
        await page.goto(url(base, job));
      }
    } else {
      console.log('# the long import was done before its first page; its progress was not seen');
    }
    await page.waitForSelector('[data-testid=import-report]', { timeout: 25_000 });
    await expectText(page, '[data-testid=created]', new RegExp(`^${n}$`));
    await expectText(page, '[data-testid=rejected]', /^0$/);
  } finally {
    await context.close();
  }
});

// ---------------------------------------------------------------- runner

test('with an access token: sign in through the form, then a task preview works', async ({ browser }) => {
  const server = await startServer({ customers: 30, seed: 3, token: 'e2e-secret-token' });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  try {
    await page.goto(server.url);
    assert.match(new URL(page.url()).pathname, /^\/login/, 'an unsigned visit is not sent to the sign-in page');
    await page.getByLabel('Access token').fill('wrong');
    await Promise.all([page.waitForLoadState(), page.keyboard.press('Enter')]);
    assert.match(new URL(page.url()).pathname, /^\/login/, 'a wrong token signed in');
    await page.getByLabel('Access token').fill('e2e-secret-token');
    await Promise.all([page.waitForURL((u) => u.pathname === '/'), page.keyboard.press('Enter')]);
    assert.ok((await rowIds(page)).length > 0, 'no customer rows after signing in');
    // A state-changing form post from our own page passes the cross-origin check.
    const first = (await rowIds(page))[0];
    await page.check(`#select-${first}`);
    await Promise.all([page.waitForURL(/\/tasks\/suspend$/), page.click('#task-suspend')]);
    assert.equal((await taskRows(page, 'preview-table')).length, 1, 'the preview after signing in lists the ticked customer');
  } finally {
    await context.close();
    server.stop();
  }
});

async function expectText(page, selector, re) {
  const loc = page.locator(selector);
  await loc.waitFor({ state: 'attached' });
  // Text set by the page script may arrive a moment later.
  const deadline = Date.now() + 5000;
  let text;
  do {
    text = await loc.textContent();
    if (re.test(text ?? '')) return;
    await new Promise((r) => setTimeout(r, 50));
  } while (Date.now() < deadline);
  assert.match(text ?? '', re, `${selector} says ${JSON.stringify(text)}`);
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

async function main() {
  const only = process.env.E2E_ONLY;
  const selected = only ? tests.filter((t) => t.name.includes(only)) : tests;
  const started = Date.now();
  let server;
  let browser;
  let failed = 0;
  let passed = 0;
  try {
    server = await startServer();
    console.log(`# clientele at ${server.url}`);
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
    const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1440, height: 900 } });
    console.log(`1..${selected.length}`);
    for (const t of selected) {
      const page = await context.newPage();
      page.setDefaultTimeout(10_000);
      page.setDefaultNavigationTimeout(15_000);
      page.on('dialog', (d) => d.accept());
      const problems = [];
      page.on('pageerror', (e) => problems.push(`page script error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      const t0 = Date.now();
      try {
        await withTimeout(t.fn({ page, context, browser, base: server.url }), TEST_TIMEOUT_MS, 'the test');
        assert.deepEqual(problems, [], 'the page reported errors');
        passed += 1;
        console.log(`ok - ${t.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed += 1;
        console.log(`not ok - ${t.name}`);
        const msg = (e && e.stack) || String(e);
        console.log(msg.replace(/^/gm, '#   '));
        if (problems.length) console.log(`#   also: ${problems.join('; ')}`);
        try {
          mkdirSync(SCREENSHOTS, { recursive: true });
          const file = join(SCREENSHOTS, `${slug(t.name)}.png`);
          await page.screenshot({ path: file, fullPage: true, timeout: 5000 });
          console.log(`#   screenshot: ${file} (at ${page.url()})`);
        } catch (se) {
          console.log(`#   (no screenshot: ${se.message})`);
        }
      } finally {
        await page.close().catch(() => {});
      }
    }
    await context.close();
  } catch (e) {
    failed += 1;
    console.log(`not ok - set-up\n${String((e && e.stack) || e).replace(/^/gm, '#   ')}`);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (server) server.stop();
  }
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  const notRun = selected.length - passed - failed;
  console.log(`# ${passed} passed, ${failed} failed${notRun > 0 ? `, ${notRun} not run` : ''} in ${secs} s`);
  process.exit(failed ? 1 : 0);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(130));
await main();
