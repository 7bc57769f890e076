// The staff console in a real headless Chromium, against the whole platform (real Temporal,
// real PostgreSQL): a butler books a new patient's visit and sees its notice planned, a doctor
// approves a report, a coordinator previews a program. Screenshots: test-results/console/.
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchStaffBrowser, screenshot, type StaffBrowser } from '../support/browser.ts';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, shanghaiDate, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

describe('the staff console in a browser', () => {
  let api: ApiPlatform;
  let chrome: StaffBrowser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    [api, chrome] = await Promise.all([startApiPlatform(), launchStaffBrowser()]);
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await chrome?.close();
    await api?.stop();
  });

  async function enrol(lmpDaysAgo: number) {
    const request = enrollmentRequest({ anchors: { lmp: shanghaiDate(-lmpDaysAgo) } });
    const created = await call(api.url, 'POST', '/v1/enrollments', { key: api.keys.coordinator, body: request });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { id: created.body.id as string, name: request.patient.name };
  }

  async function signIn(key: string): Promise<Page> {
    const context = await chrome.context();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${api.url}/`);
    await page.getByLabel('API 密钥').fill(key);
    await page.getByRole('button', { name: '登录' }).click();
    return page;
  }

  /** The open picker offers no "Now" / "Today": they would take the browser's clock, not the hospital's. */
  async function expectNoNowButton(page: Page) {
    await page.locator('.ant-picker-dropdown .ant-picker-panel').first().waitFor();
    expect(await page.locator('.ant-picker-now-btn').count()).toBe(0);
  }

  it("a butler signs in, sees a new patient's booking task with her gestational age, books the visit and sees its notice planned", async () => {
    // LMP 87 days ago: 12+3 today.
    const patient = await enrol(87);
    await eventually(async () => {
      const open = await call(api.url, 'GET', `/v1/tasks?status=open&enrollment=${patient.id}`, { key: api.keys.butler });
      expect(open.body.items.map((t: any) => t.stepId)).toContain('book_visit');
    });
    const page = await signIn(api.keys.butler);
    await expect.poll(() => page.getByTestId('signed-in-as').textContent()).toBe('王管家');
    const row = page.getByRole('row').filter({ hasText: patient.name });
    await row.getByText('预约产检').waitFor();
    expect(await row.textContent()).toContain('孕 12+3 周');
    await screenshot(page, 'butler-worklist');

    await row.getByRole('link', { name: '预约产检' }).click();
    await page.getByTestId('task-title').filter({ hasText: '预约产检' }).waitFor();
    const visitDay = shanghaiDate(3);
    const input = page.getByLabel('预约时间');
    await input.click();
    await expectNoNowButton(page);
    await input.fill(`${visitDay} 09:30`);
    await input.press('Tab');
    expect(await input.inputValue()).toBe(`${visitDay} 09:30`);
    await screenshot(page, 'butler-task-form');
    await page.getByRole('button', { name: '完成任务' }).click();
    await page.getByText('任务已完成').first().waitFor();

    // The advance notice, 24 h before the visit, is what the journey plans next.
    const next = page.getByTestId('next-steps');
    await next.getByText(`${shanghaiDate(2)} 09:30`).waitFor();
    expect(await next.textContent()).toContain('visit_notice');
    await screenshot(page, 'butler-task-done');
    const task = await call(api.url, 'GET', `/v1/tasks?status=done&enrollment=${patient.id}`, { key: api.keys.butler });
    expect(task.body.items.find((t: any) => t.stepId === 'book_visit').result).toEqual({ appointment_at: `${visitDay}T09:30:00+08:00` });

    await page.getByRole('link', { name: '查看患者旅程' }).click();
    await page
      .getByTestId('timeline-ahead')
      .getByText(`${shanghaiDate(2)} 09:30`)
      .waitFor();
    await screenshot(page, 'butler-journey');
  });

  it('a butler hands a task to another butler and is back on the worklist, not on a task she may no longer read', async () => {
    const patient = await enrol(88);
    let taskId = '';
    await eventually(async () => {
      const open = await call(api.url, 'GET', `/v1/tasks?status=open&enrollment=${patient.id}`, { key: api.keys.butler });
      taskId = open.body.items.find((t: any) => t.stepId === 'book_visit').id;
    });
    const page = await signIn(api.keys.butler);
    await page.getByRole('row').filter({ hasText: patient.name }).getByRole('link', { name: '预约产检' }).click();
    await page.getByTestId('task-title').filter({ hasText: '预约产检' }).waitFor();
    await page.getByLabel('转派给（管家编号）').fill('b2');
    await page.getByRole('button', { name: '转派', exact: true }).click();
    await page.getByText('已转派').first().waitFor();
    await page.getByRole('heading', { name: '我的任务' }).waitFor();
    expect(new URL(page.url()).pathname).toMatch(/\/worklist$/);
    expect(await page.locator('.ant-alert-error').count()).toBe(0);
    const handed = await call(api.url, 'GET', `/v1/tasks/${taskId}`, { key: api.keys.otherButler });
    expect(handed.body.assignee).toBe('b2');
  });

  it('a doctor signs in, sees the report to approve and approves it', async () => {
    const patient = await enrol(100);
    await eventually(async () => {
      const open = await call(api.url, 'GET', `/v1/tasks?status=open&kind=approval&enrollment=${patient.id}`, { key: api.keys.doctor });
      expect(open.body.items).toHaveLength(1);
    });
    const page = await signIn(api.keys.doctor);
    await page.getByRole('menuitem', { name: '待审批' }).waitFor();
    const row = page.getByRole('row').filter({ hasText: patient.name });
    await row.getByRole('link', { name: '报告审核' }).click();
    await page.getByTestId('task-title').filter({ hasText: '报告审核' }).waitFor();
    await page.getByLabel('同意', { exact: true }).check();
    await screenshot(page, 'doctor-approval');
    await page.getByRole('button', { name: '完成任务' }).click();
    await page.getByText('任务已完成').first().waitFor();
    const done = await call(api.url, 'GET', `/v1/tasks?status=done&kind=approval&enrollment=${patient.id}`, { key: api.keys.doctor });
    const doctor = await call(api.url, 'GET', '/v1/session', { key: api.keys.doctor });
    expect(done.body.items[0]).toMatchObject({ result: { approved: true }, completedBy: doctor.body.clientId });
  });

  it('a coordinator previews a program for an anchor: steps by gestational week with their codes', async () => {
    const page = await signIn(api.keys.coordinator);
    await page.getByRole('menuitem', { name: '服务项目' }).click();
    await page.getByRole('link', { name: '接口测试路径' }).click();
    const lmp = page.getByLabel('末次月经');
    await lmp.click();
    await expectNoNowButton(page);
    await lmp.fill('2027-01-15');
    await lmp.press('Enter');
    await page.getByRole('button', { name: '预览' }).click();
    const preview = page.getByTestId('program-preview');
    await preview.getByText('booking-visit').waitFor();
    expect(await preview.textContent()).toContain('报告审核');
    // The timeline page carepath preview --html writes, in a frame: weeks and codes.
    const timeline = page.frameLocator('[data-testid="timeline-page"]');
    await timeline.locator('.band').first().waitFor();
    expect(await timeline.locator('.head').first().textContent()).toMatch(/^孕\d+周$/);
    expect(await timeline.locator('.chip', { hasText: 'booking-visit' }).count()).toBeGreaterThan(0);
    const detail = await call(api.url, 'GET', '/v1/pathways/test.api-care', { key: api.keys.coordinator });
    expect(await page.getByTestId('program-versions').textContent()).toContain(`v${detail.body.version} (`);
    await screenshot(page, 'coordinator-preview');
  });

  it('a coordinator enrols a patient with her consent in the form and lands on her journey', async () => {
    const page = await signIn(api.keys.coordinator);
    await page.getByRole('menuitem', { name: '患者入组' }).click();
    await page.getByLabel('服务项目').click();
    await page.getByTitle(/接口测试路径/).click();
    const lmp = page.getByLabel('末次月经');
    await lmp.fill(shanghaiDate(-70));
    await lmp.press('Tab');
    await page.getByLabel('姓名').fill('周可欣');
    await page.getByLabel('手机号码').fill('13912345678');
    await page.getByLabel('女', { exact: true }).check();
    await page.getByLabel('证件号码').fill('110101199001010027');
    await page.getByLabel('负责管家编号').fill('b1');
    await page.getByLabel('短信').check();
    // Without her consent ticked, nothing is sent.
    await page.getByRole('button', { name: '入组并开始服务' }).click();
    await page.getByText('须取得患者同意后才能入组').waitFor();
    await page.getByLabel('患者已知情并同意入组（全病程管理与个人信息处理）').check();
    await screenshot(page, 'coordinator-enrol');
    await page.getByRole('button', { name: '入组并开始服务' }).click();
    await page.getByText('患者旅程 · 周可欣').waitFor();
    const id = page.url().split('/').pop()!;
    const view = await call(api.url, 'GET', `/v1/enrollments/${id}`, { key: api.keys.coordinator });
    expect(view.body).toMatchObject({ program: 'test.api-care', butlerId: 'b1', patient: { name: '周可欣', phone: '13912345678' } });
    expect(view.body.consents[0]).toMatchObject({ scope: ['care-management', 'data-processing', 'sms-contact'], recordedBy: '个案管理师', method: 'written' });
    await screenshot(page, 'coordinator-journey');
  });

  it('a coordinator reads the KPI dashboard with its charts and exports it as CSV', async () => {
    const page = await signIn(api.keys.coordinator);
    await page.getByRole('menuitem', { name: '服务指标' }).click();
    await page.getByTestId('kpi-overall').getByText('提前告知率').waitFor();
    await expect.poll(() => page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
    await screenshot(page, 'coordinator-kpi');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: '导出 CSV' }).click();
    const csv = await (await download).createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of csv) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString('utf8').split('\n')[0]).toContain('advance');
  });

  it("a coordinator sees the patients' messages whose sender was not certain, without their text", async () => {
    const id = `msg-${Date.now()}`;
    await api.database.db
      .insertInto('inbound_messages')
      .values({
        id,
        provider: 'wechat',
        provider_message_id: '7300000000000000123',
        channel: 'wechat',
        outcome: 'unmatched',
        received_at: new Date(),
        // Were a row ever to hold a text (an older version, a fault), the page must still not show it.
        text: '请勿显示的短信内容',
      })
      .execute();
    const page = await signIn(api.keys.coordinator);
    await page.getByRole('menuitem', { name: '未识别消息' }).click();
    const row = page.getByRole('row').filter({ hasText: '7300000000000000123' });
    await row.getByText('不是在册患者').waitFor();
    expect(await page.content()).not.toContain('请勿显示');
    await screenshot(page, 'coordinator-inbound');
  });

  it('an admin makes a key for a new butler, who signs in with it; revoking it ends her session', async () => {
    const admin = await signIn(api.keys.admin);
    await admin.getByRole('heading', { name: '人员与 API 密钥' }).waitFor();
    await admin.getByLabel('姓名').fill('赵管家');
    await admin.getByLabel('负责管家编号').fill('b5');
    await admin.getByRole('button', { name: '生成密钥' }).click();
    const key = (await admin.getByTestId('new-key').innerText()).trim();
    expect(key).toMatch(/^cpk_/);
    await screenshot(admin, 'admin-keys');

    const butler = await signIn(key);
    await butler.getByRole('heading', { name: '我的任务' }).waitFor();
    expect(await butler.getByTestId('signed-in-as').textContent()).toBe('赵管家');
    const row = admin.getByRole('row').filter({ hasText: '赵管家' });
    await row.getByRole('button', { name: '停用' }).click();
    await admin.getByRole('button', { name: /确定|OK/ }).click();
    await row.getByText('已停用').waitFor();
    await butler.getByRole('button', { name: '刷新' }).click();
    await butler.getByText('登录已过期，请重新登录').waitFor();
  });

  it("works from the keyboard alone, and on a computer set to another time zone times are still the hospital's", async () => {
    const patient = await enrol(95);
    await eventually(async () => {
      const open = await call(api.url, 'GET', `/v1/tasks?status=open&enrollment=${patient.id}&kind=task`, { key: api.keys.butler });
      expect(open.body.items).toHaveLength(1);
    });
    // Los Angeles is 16 hours behind Beijing: a time read in the browser's zone would be a day off.
    const context = await chrome.context({ timezoneId: 'America/Los_Angeles' });
    contexts.push(context);
    const page = await context.newPage();
    // In the page: whether the element has the focus (the test runs without the DOM's types).
    const focused = (target: Locator) => target.evaluate((e) => e === (e as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement);
    await page.goto(`${api.url}/`);
    const keyField = page.getByLabel('API 密钥');
    await keyField.waitFor();
    await expect.poll(() => focused(keyField)).toBe(true); // the page puts the focus there
    await page.keyboard.type(api.keys.butler);
    await page.keyboard.press('Enter');
    const link = page.getByRole('row').filter({ hasText: patient.name }).getByRole('link', { name: '预约产检' });
    await link.waitFor();
    const tabTo = async (target: Locator) => {
      for (let i = 0; i < 60 && !(await focused(target)); i++) await page.keyboard.press('Tab');
      expect(await focused(target)).toBe(true);
    };
    await tabTo(link);
    await page.keyboard.press('Enter');
    await page.getByTestId('task-title').filter({ hasText: '预约产检' }).waitFor();
    await tabTo(page.getByLabel('预约时间'));
    await page.keyboard.type(`${shanghaiDate(4)} 10:00`);
    await page.keyboard.press('Enter');
    await page.getByText('任务已完成').first().waitFor();
    const done = await call(api.url, 'GET', `/v1/tasks?status=done&enrollment=${patient.id}&kind=task`, { key: api.keys.butler });
    expect(done.body.items[0].result).toEqual({ appointment_at: `${shanghaiDate(4)}T10:00:00+08:00` });
    expect(await page.getByTestId('time-zone').textContent()).toContain('Asia/Shanghai UTC+08:00');
    // The notice 24 h before, shown in Beijing time too.
    await page
      .getByTestId('next-steps')
      .getByText(`${shanghaiDate(3)} 10:00`)
      .waitFor();
  });

  it('switches to English and stays usable on a tablet', async () => {
    const context = await chrome.context({ viewport: { width: 768, height: 1024 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${api.url}/console/`);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByLabel('API key').fill(api.keys.butler);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
    await screenshot(page, 'butler-worklist-tablet-en');
    // The language is kept for this browser.
    await page.reload();
    await page.getByRole('heading', { name: 'My tasks' }).waitFor();
  });

  it('asks no host but the platform', () => {
    const origin = new URL(api.url).origin;
    expect(chrome.requests.length).toBeGreaterThan(0);
    expect(chrome.requests.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
  });
});
