import { fileURLToPath } from 'node:url';
import * as OTPAuth from 'otpauth';
import type { BrowserContextOptions, Page } from 'playwright-core';
import { buildConsole } from '../../scripts/build-ui.ts';
import { totpCode } from '../../src/auth/mfa/index.ts';
import type { User } from '../../src/identity/index.ts';
import { operatorActor, platformOrgId, withOrg, withPlatform } from '../../src/platform/index.ts';
import { launchChromium } from './browser.ts';
import { startOidcWorld } from './oidc.ts';

export type ConsoleWorld = Awaited<ReturnType<typeof startConsoleWorld>>;

/** An administrator the test signs in as: their password and a confirmed TOTP factor. */
export interface ConsoleAdmin {
  user: User;
  email: string;
  password: string;
  /** A TOTP code no earlier sign-in of this administrator used (waits for one if need be). */
  nextCode(): Promise<string>;
}

const stepMs = 30_000;
const adminPassword = 'Console-Tested-Secret-8';

/**
 * Codes of one seed, each step used once as the server requires (RFC 6238 §5.2): it accepts the
 * current step and the next, so two sign-ins within a step go through at once and a third waits.
 */
function codesOf(seed: Uint8Array): () => Promise<string> {
  let lastStep = Math.floor(Date.now() / stepMs) - 1;
  return async () => {
    const step = Math.max(Math.floor(Date.now() / stepMs), lastStep + 1);
    const wait = (step - 1) * stepMs - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
    lastStep = step;
    return totpCode(seed, new Date(step * stepMs));
  };
}

/**
 * A running Vigil with a built console and a browser: `acme` (world.orgId) with its user Dana,
 * a platform administrator (`platformAdmin`) and acme's organization administrator (`orgAdmin`),
 * both with TOTP; `addAdmin` makes more (another approver, an auditor). `env` adds to the
 * server's configuration (VIGIL_OUTBOUND_ALLOW for a receiver on this machine).
 */
export async function startConsoleWorld(env: Record<string, string> = {}) {
  // `npm test` builds the console first (pretest); a test file run alone builds it here when stale.
  await buildConsole(true);
  const world = await startOidcWorld(env);
  const browser = await launchChromium();

  /** A user of `orgId` holding `roleKey` (granted by the operator) with a confirmed TOTP factor. */
  async function addAdmin(orgId: string, email: string, roleKey: string): Promise<ConsoleAdmin> {
    const user = await world.auth.createUser(orgId, email, adminPassword);
    await withPlatform(world.core.database, (tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId, userId: user.id, roleKey, reason: 'Console test administrator' },
        null,
        operatorActor,
      ),
    );
    const started = await withOrg(world.core.database, orgId, (tx) =>
      world.auth.mfa.startTotp(tx, user),
    );
    const seed = new Uint8Array(OTPAuth.Secret.fromBase32(started.secret).buffer as ArrayBuffer);
    // Confirmed with the previous step's code, so that the current one is still unused.
    await withOrg(world.core.database, orgId, (tx) =>
      world.auth.mfa.confirmTotp(
        tx,
        user,
        started.factorId,
        totpCode(seed, new Date(Date.now() - stepMs)),
        operatorActor,
      ),
    );
    return { user, email, password: adminPassword, nextCode: codesOf(seed) };
  }

  const platformAdmin = await addAdmin(platformOrgId, 'root@platform.test', 'platform-admin');
  const orgAdmin = await addAdmin(world.orgId, 'olivia@acme.test', 'org-admin');
  return {
    ...world,
    browser,
    platformAdmin,
    orgAdmin,
    addAdmin,
    async close() {
      await browser.close();
      await world.close();
    },
  };
}

/**
 * A page of a new browser context signed in to the console as `who`, through the hosted sign-in
 * with their password and TOTP code, on `path` (under /admin), with the browser context's
 * `options`. Close it with `page.context().close()`.
 */
export async function openConsoleAs(
  world: ConsoleWorld,
  who: ConsoleAdmin,
  path = '/',
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await world.browser.newContext({ ...options, ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${world.base}/admin${path === '/' ? '' : path}`);
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByLabel('Code', { exact: true }).fill(await who.nextCode());
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.waitForURL(
    (url) => url.pathname.startsWith('/admin') && !url.pathname.startsWith('/admin/callback'),
  );
  await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
  return page;
}

/** Every message the browser logs about a Content Security Policy violation. */
export function cspViolations(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (message) => {
    if (/content security policy/i.test(message.text())) seen.push(message.text());
  });
  return seen;
}

/**
 * With `VIGIL_SCREENSHOTS=docs`, the page at 1280×800 as `docs/<name>.png`, the picture of the
 * console the README and docs/console.md show; otherwise nothing, so that a test run (CI's
 * included) rewrites no tracked file.
 */
export async function screenshotForDocs(page: Page, name: string): Promise<void> {
  if (process.env.VIGIL_SCREENSHOTS !== 'docs') return;
  await page.setViewportSize({ width: 1280, height: 800 });
  // No dialog fading out, no row highlighted by a pointer left over it, no caret in a field.
  // (The page's own code, as text: this file is type-checked without the DOM's types.)
  await page.waitForFunction(`!document.querySelector('[role="dialog"], .mantine-Overlay-root')`);
  await page.mouse.move(0, 0);
  await page.evaluate('document.activeElement?.blur()');
  await page.screenshot({
    path: fileURLToPath(new URL(`../../docs/${name}.png`, import.meta.url)),
    animations: 'disabled',
  });
}
