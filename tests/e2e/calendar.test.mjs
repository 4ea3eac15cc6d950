// Public calendar on a phone: a ward officer registers and publishes activities through
// the forms; then a resident, without logging in, on a 375×667 touch screen, finds the
// class by commune and type, opens its page and sees its time in Vietnam time.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';

import { launchBrowser, login, logout, norm, open, pageSnippet, pressAndWait, startServer } from './lib.mjs';

const PASSWORD = 'demo';

async function register(page, base, unitCode, a) {
  await open(page, `${base}/campaigns/1/activities/${unitCode}`);
  const form = page.locator('form[data-test=register]');
  await form.locator('select[name=kind]').selectOption(a.kind);
  await form.locator('input[name=title]').fill(a.title);
  await form.locator('select[name=mode]').selectOption(a.mode);
  await form.locator('input[name=starts_at]').fill(a.start);
  await form.locator('input[name=ends_at]').fill(a.end);
  await form.locator('input[name=address]').fill(a.address || '');
  await form.locator('input[name=commune_code]').fill(a.commune || '');
  await form.locator('input[name=link]').fill(a.link || '');
  await pressAndWait(page, form.locator('button[type=submit]'));
  if (!new URL(page.url()).pathname.startsWith('/activities/')) {
    throw new Error(`registering "${a.title}" failed\n${await pageSnippet(page)}`);
  }
  if (a.publish) {
    await pressAndWait(page, page.locator('[data-test=publish]'));
    assert.ok(await page.locator('[data-test=public-link]').count(), 'published');
  }
}

describe('public calendar on a phone', () => {
  let server;
  let browser;
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('finds an activity by commune and type without logging in', async () => {
    server = await startServer();
    browser = await launchBrowser();
    const base = server.baseUrl;
    const officer = await (await browser.newContext({ locale: 'vi-VN' })).newPage();
    await login(officer, base, 'tanphong', PASSWORD);
    // A bad link is refused with a Vietnamese message naming the field.
    await open(officer, `${base}/campaigns/1/activities/27490`);
    const form = officer.locator('form[data-test=register]');
    await form.locator('input[name=title]').fill('Lớp sai');
    await form.locator('select[name=mode]').selectOption('online');
    await form.locator('input[name=starts_at]').fill('2021-10-05T08:00');
    await form.locator('input[name=ends_at]').fill('2021-10-05T10:00');
    await form.locator('input[name=link]').fill('zoom.us/j/123');
    await pressAndWait(officer, form.locator('button[type=submit]'));
    assert.match(norm(await officer.locator('[data-test=error]').innerText()), /^Đường dẫn trực tuyến: /);

    await register(officer, base, '27490', {
      kind: 'lop-03', title: 'Lớp tin học cho người cao tuổi', mode: 'in_person',
      start: '2021-10-05T08:00', end: '2021-10-05T10:00', address: 'Nhà văn hóa khu phố 2', commune: '27490', publish: true,
    });
    await register(officer, base, '27490', {
      kind: 'hoi-sach', title: 'Hội sách Tân Phong', mode: 'in_person',
      start: '2021-10-03T07:30', end: '2021-10-03T17:00', address: 'Sân UBND phường', commune: '27490', publish: true,
    });
    await register(officer, base, '27490', {
      kind: 'lop-03', title: 'Lớp tin học nội bộ (chưa công khai)', mode: 'in_person',
      start: '2021-10-06T08:00', end: '2021-10-06T10:00', address: 'Phòng họp', commune: '27490', publish: false,
    });
    await logout(officer);
    const quan7 = officer;
    await login(quan7, base, 'quan7', PASSWORD);
    await register(quan7, base, '778', {
      kind: 'lop-03', title: 'Lớp tin học ở Phú Mỹ', mode: 'hybrid',
      start: '2021-10-04T14:00', end: '2021-10-04T16:00', address: 'Trường THCS', commune: '27493',
      link: 'https://meet.google.com/abc-defg-hij', publish: true,
    });

    const phone = await browser.newContext({
      viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'vi-VN',
    });
    const page = await phone.newPage();
    await open(page, `${base}/lich`);
    assert.equal(await page.locator('[data-test=current-user]').count(), 0, 'not logged in');
    assert.equal(await page.locator('[data-test=activity]').count(), 3, 'only published ones');
    assert.ok(!norm(await page.locator('main').innerText()).includes('chưa công khai'));
    await page.locator('select[name=xa]').selectOption({ label: 'Phường Tân Phong' });
    await page.locator('select[name=loai]').selectOption('lop-03');
    await pressAndWait(page, page.locator('[data-test=filter]'));
    const items = page.locator('[data-test=activity]');
    assert.equal(await items.count(), 1, await pageSnippet(page));
    // Fits the phone: no horizontal scrolling.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
    await pressAndWait(page, items.first().locator('a'));
    assert.equal(norm(await page.locator('[data-test=title]').innerText()), 'Lớp tin học cho người cao tuổi');
    assert.match(norm(await page.locator('[data-test=when]').innerText()), /05\/10\/2021 08:00–10:00/);
    assert.match(norm(await page.locator('[data-test=place]').innerText()), /Phường Tân Phong/);
    const ics = await page.request.get(`${base}/lich/ical/khu-vuc/27490`);
    assert.equal(ics.status(), 200);
    assert.match(ics.headers()['content-type'], /text\/calendar/);
    const text = await ics.text();
    assert.match(text, /DTSTART;TZID=Asia\/Ho_Chi_Minh:20211005T080000/);
    assert.ok(!text.includes('chưa công khai'));
  });
});

// Month view: a real 7-column month grid on a desktop, with the months around it a click
// away keeping the filters; on a phone the same page is the list of the days that have
// activities. Server-rendered, no script.
describe('public calendar month view on a desktop and a phone', () => {
  let server;
  let browser;
  after(async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  });

  it('shows a month grid on a desktop and a day list on a phone', async () => {
    server = await startServer();
    browser = await launchBrowser();
    const base = server.baseUrl;
    const officer = await (await browser.newContext({ locale: 'vi-VN' })).newPage();
    await login(officer, base, 'tanphong', PASSWORD);
    await register(officer, base, '27490', {
      kind: 'lop-03', title: 'Lớp tin học cho người cao tuổi', mode: 'in_person',
      start: '2021-10-05T08:00', end: '2021-10-05T10:00', address: 'Nhà văn hóa khu phố 2', commune: '27490', publish: true,
    });
    await register(officer, base, '27490', {
      kind: 'hoi-sach', title: 'Hội sách ba ngày', mode: 'in_person',
      start: '2021-10-03T07:30', end: '2021-10-05T17:00', address: 'Sân UBND phường', commune: '27490', publish: true,
    });
    await register(officer, base, '27490', {
      kind: 'lop-03', title: 'Lớp tin học tháng 11', mode: 'in_person',
      start: '2021-11-02T08:00', end: '2021-11-02T10:00', address: 'Nhà văn hóa khu phố 2', commune: '27490', publish: true,
    });

    // Desktop: the filter form picks the commune and the month view.
    const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' })).newPage();
    await open(desk, `${base}/lich`);
    await desk.locator('select[name=xa]').selectOption({ label: 'Phường Tân Phong' });
    await desk.locator('select[name=xem]').selectOption('thang');
    await pressAndWait(desk, desk.locator('[data-test=filter]'));
    assert.equal(norm(await desk.locator('[data-test=month-title]').innerText()), 'Tháng 10 năm 2021', await pageSnippet(desk));
    const grid = desk.locator('[data-test=month-grid]');
    assert.equal(await grid.evaluate((el) => getComputedStyle(el).display), 'grid');
    const days = desk.locator('[data-test=month-day]');
    assert.equal(await days.count(), 35, 'five whole weeks, Monday 27/09 to Sunday 31/10');
    // A week is one row of seven cells, Monday to Sunday, left to right.
    const boxes = [];
    for (let d = 4; d <= 10; d++) {
      boxes.push(await desk.locator(`[data-date="2021-10-${String(d).padStart(2, '0')}"]`).boundingBox());
    }
    assert.ok(boxes.every((b) => Math.abs(b.y - boxes[0].y) < 1), 'same row');
    for (let i = 1; i < 7; i++) assert.ok(boxes[i].x > boxes[i - 1].x + 50, 'left to right');
    assert.ok(boxes[0].width < 1280 / 6, 'seven columns');
    const sunday = await desk.locator('[data-date="2021-10-03"]').boundingBox();
    assert.ok(sunday.y < boxes[0].y && Math.abs(sunday.x - boxes[6].x) < 1, 'Sunday 03/10 closes the week above');
    assert.ok(await desk.locator('[data-date="2021-09-27"]').isVisible(), 'the days before the 1st fill the first week');
    const titles = async (page, iso) => norm(await page.locator(`[data-date="${iso}"]`).innerText());
    assert.match(await titles(desk, '2021-10-05'), /Lớp tin học cho người cao tuổi/);
    assert.match(await titles(desk, '2021-10-05'), /Hội sách ba ngày/);
    assert.match(await titles(desk, '2021-10-04'), /Hội sách ba ngày/);
    assert.doesNotMatch(await titles(desk, '2021-10-06'), /Hội sách|Lớp/);
    // Next month keeps the commune and the view; November has its class.
    await pressAndWait(desk, desk.locator('[data-test=month-next]'));
    const url = new URL(desk.url());
    assert.equal(url.searchParams.get('thang'), '2021-11');
    assert.equal(url.searchParams.get('xa'), '27490');
    assert.equal(url.searchParams.get('xem'), 'thang');
    assert.equal(norm(await desk.locator('[data-test=month-title]').innerText()), 'Tháng 11 năm 2021');
    assert.equal(await desk.locator('select[name=xa]').inputValue(), '27490');
    assert.match(await titles(desk, '2021-11-02'), /Lớp tin học tháng 11/);
    await pressAndWait(desk, desk.locator('[data-test=month-prev]'));
    assert.equal(norm(await desk.locator('[data-test=month-title]').innerText()), 'Tháng 10 năm 2021');
    // The filter form keeps the month: the type filter on October leaves the classes.
    await desk.locator('select[name=loai]').selectOption('lop-03');
    await pressAndWait(desk, desk.locator('[data-test=filter]'));
    assert.equal(norm(await desk.locator('[data-test=month-title]').innerText()), 'Tháng 10 năm 2021');
    assert.doesNotMatch(await titles(desk, '2021-10-04'), /Hội sách/);
    assert.match(await titles(desk, '2021-10-05'), /Lớp tin học cho người cao tuổi/);
    assert.equal(await desk.locator('script').count(), 0, 'no script');

    // Phone: the same address is a list of the days with activities, in order.
    const phone = await (await browser.newContext({
      viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, locale: 'vi-VN',
    })).newPage();
    await open(phone, `${base}/lich?xem=thang&xa=27490`);
    assert.equal(await phone.locator('[data-test=month-grid]').evaluate((el) => getComputedStyle(el).display), 'block');
    const visible = [];
    const all = phone.locator('[data-test=month-day]');
    for (let i = 0; i < (await all.count()); i++) {
      if (await all.nth(i).isVisible()) visible.push(norm(await all.nth(i).locator('.mday-h').innerText()));
    }
    assert.deepEqual(visible, ['Chủ nhật, 03/10/2021', 'Thứ Hai, 04/10/2021', 'Thứ Ba, 05/10/2021']);
    assert.equal(await phone.locator('.month-dow').first().isVisible(), false, 'no weekday header row');
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the screen`);
    await pressAndWait(phone, phone.locator('[data-test=month-next]'));
    assert.equal(new URL(phone.url()).searchParams.get('xa'), '27490');
    assert.match(norm(await phone.locator('[data-date="2021-11-02"]').innerText()), /Thứ Ba, 02\/11\/2021 .*Lớp tin học tháng 11/);
    await pressAndWait(phone, phone.locator('[data-date="2021-11-02"] a').first());
    assert.equal(norm(await phone.locator('[data-test=title]').innerText()), 'Lớp tin học tháng 11');
  });
});
