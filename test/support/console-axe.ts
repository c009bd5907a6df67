import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { ConsoleWorld } from './console.ts';

/** axe-core's rules for WCAG 2.0 and 2.1, levels A and AA (as test/console-accessibility.test.ts). */
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const axeScript = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));

/** A page to check: its name, its path under /admin, and what shows it is ready. */
export type AxeView = [name: string, path: string, ready: (page: Page) => Promise<void>];

/** No read on its way (every spinner says "Loading …") and no transition running. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(`
    !document.querySelector('[aria-label^="Loading"]') &&
    document.getAnimations().every(
      (a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity,
    )`);
}

/**
 * The serious and critical WCAG A/AA violations axe finds on each view, in the light and the
 * dark scheme, as "view (scheme): rule at targets". `page` must bypass the CSP (axe's script).
 */
export async function axeViolations(
  world: ConsoleWorld,
  page: Page,
  views: AxeView[],
): Promise<string[]> {
  const found: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const [name, path, ready] of views) {
      await page.goto(`${world.base}/admin${path}`);
      await page.waitForFunction(
        `document.documentElement.dataset.mantineColorScheme === '${scheme}'`,
      );
      await ready(page);
      await settled(page);
      await page.addScriptTag({ path: axeScript });
      const violations = (await page.evaluate(`
        axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(wcagTags)} } }).then(
          (result) => result.violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => v.id + ' (' + v.impact + ') at ' +
              v.nodes.map((n) => n.target.join(' ')).join(', ') + ': ' + v.help),
        )`)) as string[];
      found.push(...violations.map((v) => `${name} (${scheme}): ${v}`));
    }
  }
  return found;
}
