// End-to-end flow of one report through its whole life cycle, driven in a
// real browser (Debian Chromium via playwright-core), once per viewport:
// reporter fills → validation error → draft → submit → reviewer returns →
// reporter corrects and resubmits → reviewer accepts, checking the
// consolidation of the parent units (Quận 7 = 778, TP.HCM = 79) at each stage.
//
// Run: TUANLE_BIN=target/debug/tuanle node --test tests/e2e/

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import {
  launchBrowser,
  login,
  logout,
  norm,
  open,
  pageSnippet,
  pressAndWait,
  readNumber,
  startServer,
} from './lib.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RESULTS_DIR = path.join(HERE, 'test-results');

const PASSWORD = 'demo';
const CAMPAIGN = 1;
const UNIT = '27490'; // Phường Tân Phong (Quận 7)
const DISTRICT = '778'; // Quận 7
const CITY = '79'; // TP.HCM
// The ward itself (its TTHTCĐ, also a reporting unit, stays missing).
const UNIT_NAME = 'Phường Tân Phong';
const RETURN_COMMENT = 'Sai số người, đề nghị kiểm tra lại';

const STATUS = {
  missing: 'Chưa có báo cáo',
  draft: 'Bản nháp',
  submitted: 'Đã nộp',
  returned: 'Bị trả lại',
  accepted: 'Đã chấp nhận',
};

// Cells of the consolidation table checked by the flow.
const CELLS = ['1.01:count', '1.01:people', '2:count'];

const NARRATIVES = ['s1_1', 's1_2', 's1_3', 's1_4', 's2_1', 's2_2', 's2_3'];

const VIEWPORTS = [
  { name: 'desktop', context: { viewport: { width: 1280, height: 800 } } },
  {
    name: 'phone',
    context: { viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true },
  },
];

const reportUrl = (base) => `${base}/campaigns/${CAMPAIGN}/reports/${UNIT}`;
const consolidationUrl = (base, code, basis) =>
  `${base}/campaigns/${CAMPAIGN}/consolidation/${code}?basis=${basis}`;
const field = (page, row, col) => page.locator(`input[name="v:${row}:${col}"]`);

/** Opens a consolidation page and reads the checked cells → { '1.01:count': n, ... }. */
async function readConsolidation(page, base, code, basis) {
  await open(page, consolidationUrl(base, code, basis));
  const table = page.locator('[data-test=consolidation-table]');
  assert.equal(
    await table.count(),
    1,
    `consolidation ${code} (${basis}) has no [data-test=consolidation-table]\n${await pageSnippet(page)}`,
  );
  const sums = {};
  for (const cell of CELLS) {
    const loc = page.locator(`[data-test="sum:${cell}"]`);
    assert.equal(
      await loc.count(),
      1,
      `consolidation ${code} (${basis}): expected exactly one [data-test="sum:${cell}"]`,
    );
    const text = await loc.textContent();
    try {
      sums[cell] = readNumber(text);
    } catch (e) {
      assert.fail(`consolidation ${code} (${basis}) sum:${cell}: ${e.message}`);
    }
  }
  return sums;
}

/** A reviewer of Quận 7 may not see the consolidation of TP.HCM (above their unit). */
async function expectConsolidationRefused(page, base, code, basis, who) {
  const response = await page.goto(consolidationUrl(base, code, basis), { waitUntil: 'load' });
  const shown =
    response?.status() === 200 && (await page.locator('[data-test=consolidation-table]').count()) > 0;
  assert.ok(
    !shown,
    `${who} must not see the consolidation of ${code} (outside their subtree)\n${await pageSnippet(page)}`,
  );
}

/** Asserts consolidation values equal `base` plus `delta` (per cell). */
async function expectConsolidation(page, base, code, basis, before, delta) {
  const now = await readConsolidation(page, base, code, basis);
  for (const cell of CELLS) {
    assert.equal(
      now[cell],
      before[cell] + (delta[cell] ?? 0),
      `consolidation ${code} (basis=${basis}) sum:${cell}: before ${before[cell]}, ` +
        `expected +${delta[cell] ?? 0}, got ${now[cell]}`,
    );
  }
}

async function missingUnits(page) {
  return (await page.locator('[data-test=missing] li').allTextContents()).map(norm);
}

async function status(page) {
  const loc = page.locator('[data-test=report-status]');
  assert.equal(await loc.count(), 1, `no [data-test=report-status]\n${await pageSnippet(page)}`);
  return norm(await loc.textContent());
}

async function expectStatus(page, expected, context) {
  const got = await status(page);
  assert.ok(
    got.includes(expected),
    `${context}: expected status "${expected}", got "${got}"\n${await pageSnippet(page)}`,
  );
}

async function errors(page) {
  return (await page.locator('[data-test=errors] li').allTextContents()).map(norm);
}

async function expectNoErrors(page, context) {
  const errs = await errors(page);
  assert.deepEqual(errs, [], `${context}: unexpected validation errors`);
}

/** On the phone the report form must fit the screen width. */
async function expectNoHorizontalScroll(page, context) {
  const m = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  // Without <meta name="viewport" content="width=device-width, ..."> a mobile
  // browser lays the page out 980 px wide, which would make the check vacuous.
  assert.ok(
    m.innerWidth <= 400,
    `${context}: window.innerWidth is ${m.innerWidth} on a 375 px phone; ` +
      'the page needs <meta name="viewport" content="width=device-width, initial-scale=1">',
  );
  assert.ok(
    m.scrollWidth <= m.innerWidth + 1,
    `${context}: page scrolls horizontally (scrollWidth ${m.scrollWidth} > innerWidth ${m.innerWidth})`,
  );
}

/** Texts that identify row 1.01 in an error message: "1.01" and the row's label cells. */
async function rowLabels(page, row, col) {
  const labels = await field(page, row, col).evaluate((input) => {
    const tr = input.closest('tr');
    if (!tr) return [];
    return [...tr.querySelectorAll('th, td')]
      .filter((c) => !c.querySelector('input, textarea, select'))
      .map((c) => c.textContent.replace(/\s+/g, ' ').trim())
      .filter((t) => t.length >= 3);
  });
  return [row, ...labels.map(norm)];
}

for (const vp of VIEWPORTS) {
  describe(`report flow (${vp.name})`, { timeout: 600_000 }, () => {
    let server;
    let browser;
    let context;
    let page;
    let broken = null; // name of the first failed step; later steps are skipped
    const beforeSubmitted = {};
    const beforeAccepted = {};

    before(async () => {
      await mkdir(RESULTS_DIR, { recursive: true });
    });

    after(async () => {
      if (broken && page) {
        await page
          .screenshot({ path: path.join(RESULTS_DIR, `${vp.name}-failure.png`), fullPage: true })
          .catch(() => {});
      }
      await context?.close().catch(() => {});
      await browser?.close().catch(() => {});
      if (broken && server) {
        process.stderr.write(`\n[${vp.name}] first failed step: ${broken}\n${server.logs()}\n`);
      }
      await server?.stop();
    });

    // Each step depends on the previous ones: once one fails, the rest are
    // skipped instead of failing with misleading follow-up errors.
    const step = (name, fn) =>
      it(name, { timeout: 180_000 }, async (t) => {
        if (broken) {
          t.skip(`skipped: earlier step failed (${broken})`);
          return;
        }
        try {
          await fn();
        } catch (e) {
          broken = name;
          throw e;
        }
      });

    // Started in a step rather than in before(): a server that does not come
    // up is then reported as a failed test (with its stderr), not as
    // "cancelled" tests.
    step('0. start a fresh demo server and the browser', async () => {
      server = await startServer();
      browser = await launchBrowser();
      context = await browser.newContext({ ...vp.context, locale: 'vi-VN' });
      context.setDefaultTimeout(15_000);
      context.setDefaultNavigationTimeout(30_000);
      page = await context.newPage();
    });

    // TP.HCM (79) is read as `hcm`: a reviewer of Quận 7 may only view
    // Quận 7's subtree (crates/domain/src/access.rs).
    step('1. hcm and quan7 read the consolidations of TP.HCM and Quận 7 before the report', async () => {
      const base = server.baseUrl;
      await login(page, base, 'hcm', PASSWORD);
      beforeSubmitted[CITY] = await readConsolidation(page, base, CITY, 'submitted');
      await logout(page);

      await login(page, base, 'quan7', PASSWORD);
      await expectConsolidationRefused(page, base, CITY, 'submitted', 'quan7');
      beforeAccepted[DISTRICT] = await readConsolidation(page, base, DISTRICT, 'accepted');
      beforeSubmitted[DISTRICT] = await readConsolidation(page, base, DISTRICT, 'submitted');

      assert.equal(
        await page.locator('[data-test=completeness]').count(),
        1,
        'consolidation 778 has no [data-test=completeness] block',
      );
      assert.ok(
        (await page.locator('[data-test=drilldown]').count()) >= 1,
        'consolidation 778 has no [data-test=drilldown]',
      );
      const missing = await missingUnits(page);
      assert.ok(
        missing.some((m) => m.startsWith(UNIT_NAME)),
        `consolidation 778: "${UNIT_NAME}" not in the missing list ${JSON.stringify(missing)}`,
      );

      await logout(page);
    });

    step('2. tanphong: invalid number is rejected, then draft, then submit', async () => {
      const base = server.baseUrl;
      await login(page, base, 'tanphong', PASSWORD);
      await open(page, reportUrl(base));
      await expectStatus(page, STATUS.missing, 'fresh report');
      if (vp.name === 'phone') await expectNoHorizontalScroll(page, 'empty report form');

      // A non-number is rejected by the server and nothing is stored.
      const count = field(page, '1.01', 'count');
      assert.notEqual(
        await count.getAttribute('type'),
        'number',
        'v:1.01:count must not be <input type=number> (server-side validation is tested with text)',
      );
      await count.fill('abc');
      const save = page.locator('button[name=action][value=save]');
      const clientValid = await save.evaluate(
        (b) => b.formNoValidate || b.form.noValidate || b.form.checkValidity(),
      );
      assert.ok(clientValid, 'browser constraint validation blocks the form; the server must do the validation');
      await pressAndWait(page, save);
      const errs = await errors(page);
      assert.ok(errs.length > 0, `no [data-test=errors] li after saving "abc"\n${await pageSnippet(page)}`);
      await open(page, reportUrl(base)); // fresh GET: nothing may have been stored
      const labels = await rowLabels(page, '1.01', 'count');
      assert.ok(
        errs.some((e) => labels.some((l) => e.includes(l))),
        `no error mentions row 1.01 (looked for ${JSON.stringify(labels)}) in ${JSON.stringify(errs)}`,
      );
      await expectStatus(page, STATUS.missing, 'after the rejected save');

      // Fill in a valid report and save a draft.
      await field(page, '1.01', 'count').fill('3');
      await field(page, '1.01', 'people').fill('45');
      await field(page, '2', 'count').fill('7');
      for (const n of NARRATIVES) {
        await page
          .locator(`textarea[name="n:${n}"]`)
          .fill(`Phường Tân Phong tổ chức hoạt động hưởng ứng (mục ${n}).`);
      }
      if (vp.name === 'phone') await expectNoHorizontalScroll(page, 'filled report form');
      await page.screenshot({ path: path.join(RESULTS_DIR, `${vp.name}-report.png`), fullPage: true });

      await pressAndWait(page, page.locator('button[name=action][value=save]'));
      await expectNoErrors(page, 'save draft');
      await expectStatus(page, STATUS.draft, 'after save');

      // The draft is stored: a fresh GET shows the values.
      await open(page, reportUrl(base));
      await expectStatus(page, STATUS.draft, 'draft reloaded');
      assert.equal(readNumber(await field(page, '1.01', 'count').inputValue()), 3, 'stored v:1.01:count');
      assert.equal(readNumber(await field(page, '1.01', 'people').inputValue()), 45, 'stored v:1.01:people');
      assert.equal(readNumber(await field(page, '2', 'count').inputValue()), 7, 'stored v:2:count');
      assert.match(
        norm(await page.locator('textarea[name="n:s1_1"]').inputValue()),
        /Phường Tân Phong tổ chức/,
        'stored narrative n:s1_1',
      );
      const total = field(page, '1', 'count');
      if ((await total.count()) === 1) {
        // A total equal to the sum of its parts is shown as computed: empty, with the sum as placeholder.
        const shown = (await total.inputValue()) || ((await total.getAttribute('placeholder')) || '').replace(/[^0-9.]/g, '');
        assert.equal(readNumber(shown), 3, 'total row v:1:count computed on save');
      }

      // Submit.
      await pressAndWait(page, page.locator('button[name=action][value=submit]'));
      await expectNoErrors(page, 'submit');
      await expectStatus(page, STATUS.submitted, 'after submit');
      const late = page.locator('[data-test=report-late]');
      assert.equal(await late.count(), 1, `no [data-test=report-late] after submit\n${await pageSnippet(page)}`);
      assert.ok(
        norm(await late.textContent()).includes('Nộp muộn'),
        `[data-test=report-late] should say "Nộp muộn" (2021 deadline), got "${norm(await late.textContent())}"`,
      );

      await logout(page);
    });

    step('3. the submitted report is consolidated upwards; quan7 returns it', async () => {
      const base = server.baseUrl;
      const delta = { '1.01:count': 3, '1.01:people': 45, '2:count': 7 };
      await login(page, base, 'hcm', PASSWORD);
      await expectConsolidation(page, base, CITY, 'submitted', beforeSubmitted[CITY], delta);
      await logout(page);

      await login(page, base, 'quan7', PASSWORD);
      await expectConsolidation(page, base, DISTRICT, 'submitted', beforeSubmitted[DISTRICT], delta);
      const missing = await missingUnits(page);
      assert.ok(
        !missing.some((m) => m.startsWith(UNIT_NAME)),
        `"${UNIT_NAME}" is still in the missing list of 778 after submitting: ${JSON.stringify(missing)}`,
      );
      // Not accepted yet: the accepted basis is unchanged.
      await expectConsolidation(page, base, DISTRICT, 'accepted', beforeAccepted[DISTRICT], {});

      await open(page, reportUrl(base));
      await expectStatus(page, STATUS.submitted, 'reviewer opens the report');
      if (vp.name === 'phone') await expectNoHorizontalScroll(page, 'report form with review form');
      await page.locator('textarea[name=comment]').fill(RETURN_COMMENT);
      await pressAndWait(page, page.locator('button[name=action][value=return]'));
      await expectNoErrors(page, 'return');
      await expectStatus(page, STATUS.returned, 'after return');

      await expectConsolidation(page, base, DISTRICT, 'submitted', beforeSubmitted[DISTRICT], {});
      await logout(page);
    });

    step('4. tanphong sees the comment, corrects the report and resubmits', async () => {
      const base = server.baseUrl;
      await login(page, base, 'tanphong', PASSWORD);
      await open(page, reportUrl(base));
      await expectStatus(page, STATUS.returned, 'reporter opens the returned report');
      const comment = page.locator('[data-test=review-comment]');
      assert.ok((await comment.count()) >= 1, `no [data-test=review-comment]\n${await pageSnippet(page)}`);
      assert.ok(
        norm((await comment.allTextContents()).join(' ')).includes(RETURN_COMMENT),
        `[data-test=review-comment] does not contain "${RETURN_COMMENT}"`,
      );
      assert.equal(readNumber(await field(page, '1.01', 'count').inputValue()), 3, 'kept v:1.01:count');

      await field(page, '1.01', 'people').fill('40');
      await pressAndWait(page, page.locator('button[name=action][value=submit]'));
      await expectNoErrors(page, 'resubmit');
      await expectStatus(page, STATUS.submitted, 'after resubmit');
      await logout(page);
    });

    step('5. quan7 accepts; the accepted consolidation includes the report', async () => {
      const base = server.baseUrl;
      await login(page, base, 'quan7', PASSWORD);
      await open(page, reportUrl(base));
      await expectStatus(page, STATUS.submitted, 'reviewer opens the resubmitted report');
      await pressAndWait(page, page.locator('button[name=action][value=accept]'));
      await expectNoErrors(page, 'accept');
      await expectStatus(page, STATUS.accepted, 'after accept');

      const delta = { '1.01:count': 3, '1.01:people': 40, '2:count': 7 };
      await expectConsolidation(page, base, DISTRICT, 'accepted', beforeAccepted[DISTRICT], delta);
      // Accepted reports also count on the submitted basis.
      await expectConsolidation(page, base, DISTRICT, 'submitted', beforeSubmitted[DISTRICT], delta);
      await logout(page);
    });
  });
}
