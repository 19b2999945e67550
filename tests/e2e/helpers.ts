/** Helpers the Playwright specs share: the page's own calls, a table's rows, a download's contents. */
import fs from 'node:fs';
import { expect, type Download, type Locator, type Page } from '@playwright/test';

/** The same call the screen makes, from inside the page (same origin, this tab's session secret, same host checks); fails the test if refused. */
export async function apiCall<T>(page: Page, name: string, input: unknown): Promise<T> {
  const result = await page.evaluate(
    async ([n, i]) => {
      const response = await fetch('/api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-NeedMap': '1', 'X-NeedMap-Session': sessionStorage.getItem('needmap.session') ?? '' },
        body: JSON.stringify({ name: n, input: i }),
      });
      return response.json();
    },
    [name, input] as const,
  );
  expect(result.ok, `${name}: ${JSON.stringify(result.error)}`).toBe(true);
  return result.value as T;
}

/** Body rows of a figures table as text cells (row header first). */
export async function tableRows(table: Locator): Promise<string[][]> {
  return table.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim())));
}

/** A finished download's bytes (Playwright keeps it in a temporary file). */
export async function savedBytes(download: Download): Promise<Buffer> {
  return fs.readFileSync((await download.path())!);
}

export async function savedText(download: Download): Promise<string> {
  return (await savedBytes(download)).toString('utf8');
}
