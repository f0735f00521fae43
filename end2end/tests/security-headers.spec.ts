// The Content-Security-Policy in a real browser: every page, hydrated and in use (editor,
// chat, the app's wasm loaded on demand), runs without a single violation, and a script
// injected into a page is refused. Also the other protective headers of every page.
import { test, expect, Page } from "@playwright/test";
import { activeAccount, hydrated, logIn, publishedPost, unique } from "./support";

type Violation = { directive: string; blocked: string };

/** Records every CSP violation the page reports, from before its first script runs. */
async function watchViolations(page: Page) {
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to (execute|load|apply|connect|frame)/i.test(message.text())) {
      consoleErrors.push(message.text());
    }
  });
  await page.addInitScript(() => {
    const seen: Violation[] = [];
    (window as unknown as { cspViolations: Violation[] }).cspViolations = seen;
    document.addEventListener("securitypolicyviolation", (event) => {
      seen.push({ directive: event.effectiveDirective, blocked: event.blockedURI });
    });
  });
  return async () => {
    const reported = await page.evaluate(() => (window as unknown as { cspViolations?: Violation[] }).cspViolations ?? []);
    return { reported, consoleErrors: [...consoleErrors] };
  };
}

async function expectNoViolations(page: Page, violations: () => Promise<{ reported: Violation[]; consoleErrors: string[] }>, where: string) {
  const { reported, consoleErrors } = await violations();
  expect(reported, `CSP violations on ${where}`).toEqual([]);
  expect(consoleErrors, `CSP errors in the console on ${where}`).toEqual([]);
}

test("every page carries a nonce policy that its own scripts satisfy", async ({ request }) => {
  for (const path of ["/", "/blog", "/login", "/signup", "/docs/api", "/no-such-page"]) {
    const response = await request.get(path);
    const policy = response.headers()["content-security-policy"];
    expect(policy, path).toBeTruthy();
    for (const directive of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "'wasm-unsafe-eval'"]) {
      expect(policy, `${path}: ${directive}`).toContain(directive);
    }
    expect(policy, `${path}: no inline scripts without the nonce`).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const nonce = /'nonce-([^']+)'/.exec(policy)![1];
    const html = await response.text();
    const scripts = [...html.matchAll(/<script(?![^>]*type="application\/(?:ld\+)?json")([^>]*)>/g)].map((m) => m[1]);
    expect(scripts.length, path).toBeGreaterThan(0);
    for (const attributes of scripts) {
      expect(attributes, `${path}: every executable script carries this response's nonce`).toContain(`nonce="${nonce}"`);
    }
    expect(response.headers()["permissions-policy"], path).toContain("camera=()");
    expect(response.headers()["cross-origin-opener-policy"], path).toBe("same-origin");
  }
});

test("a cached reader page gets a fresh nonce on every response", async ({ request }) => {
  const nonces = new Set<string>();
  const cache: string[] = [];
  for (let i = 0; i < 3; i++) {
    const response = await request.get("/blog");
    cache.push(response.headers()["x-page-cache"]);
    const policy = response.headers()["content-security-policy"];
    const nonce = /'nonce-([^']+)'/.exec(policy)![1];
    expect(await response.text()).toContain(`nonce="${nonce}"`);
    nonces.add(nonce);
  }
  expect(cache, "later copies came from the page cache").toContain("hit");
  expect(nonces.size).toBe(3);
});

test("reading, writing and chatting hydrate and run with no CSP violation", async ({ page, request }) => {
  const writer = unique("csp");
  await activeAccount(request, writer, "trainer");
  const slug = await publishedPost(request, writer, unique("t"));
  const violations = await watchViolations(page);

  // Anonymous document pages, one full load each (a cached copy for the second visit).
  for (const path of ["/", "/blog", `/blog/${slug}`, `/u/${writer}`, "/blog", "/docs/api"]) {
    await page.goto(path);
    await hydrated(page);
    await expectNoViolations(page, violations, path);
  }

  await logIn(page, writer);
  await page.goto(`/blog/${slug}`);
  await hydrated(page);
  // Client-side navigation to the editor and the chat, which run on the app's wasm.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Write" }).click();
  await expect(page).toHaveURL(/\/blog\/new$/);
  await hydrated(page);
  await page.getByLabel("Text", { exact: true }).fill("Some **bold** words.");
  await expect(page.locator(".editor__preview strong")).toHaveText("bold");
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat", exact: true }).click();
  await expect(page.locator(".chat__status")).toHaveText("Live");
  const text = `Under a strict policy ${unique("m")}`;
  await page.locator("#composer-text").fill(text);
  await page.locator("#composer-text").press("Enter");
  await expect(page.locator(".message__text").last()).toHaveText(text);
  await expectNoViolations(page, violations, "the editor and the chat");
});

test("a script injected into a page is refused", async ({ page }) => {
  const violations = await watchViolations(page);
  await page.goto("/blog");
  await hydrated(page);
  await page.evaluate(() => {
    const script = document.createElement("script");
    script.textContent = "window.injected = true";
    document.body.appendChild(script);
    const image = document.createElement("img");
    image.setAttribute("src", "data:,");
    image.setAttribute("onerror", "window.injectedHandler = true");
    document.body.appendChild(image);
  });
  await expect.poll(async () => (await violations()).reported.length).toBeGreaterThanOrEqual(2);
  const ran = await page.evaluate(() => {
    const w = window as unknown as { injected?: boolean; injectedHandler?: boolean };
    return { script: w.injected === true, handler: w.injectedHandler === true };
  });
  expect(ran).toEqual({ script: false, handler: false });
  const { reported } = await violations();
  expect(reported.every((v) => v.directive.startsWith("script-src")), JSON.stringify(reported)).toBe(true);
});
