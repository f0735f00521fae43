// Fast pages for readers: the wasm a first visit downloads stays within the budget, and
// the code of the other pages arrives on demand when the reader goes there.
import { test, expect, Page } from "@playwright/test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { budget } from "../budget";
import { serverEnv } from "../playwright.config";
import { activeAccount, hydrated, logIn, markDocument, publishedPost, stillSameDocument, unique } from "./support";

/** Starts recording the wasm files the page requests. */
function recordWasm(page: Page) {
  const urls = new Set<string>();
  page.on("request", (request) => {
    if (new URL(request.url()).pathname.endsWith(".wasm")) urls.add(request.url());
  });
  return urls;
}

/** The brotli bytes the server sends for each url (what a browser that accepts br gets). */
async function brotliBytes(page: Page, urls: Iterable<string>) {
  let total = 0;
  for (const url of urls) {
    const response = await page.request.get(url, { headers: { "accept-encoding": "br" } });
    expect(response.status(), url).toBe(200);
    expect(response.headers()["content-encoding"], `${url} is served brotli-compressed`).toBe("br");
    total += Number(response.headers()["content-length"]);
  }
  return total;
}

test("a reader's first visit downloads no more wasm than the budget", async ({ browser, request }) => {
  const author = unique("fp");
  await activeAccount(request, author, "trainer");
  const tag = unique("t");
  const slug = await publishedPost(request, author, tag);
  const figures: string[] = [];
  for (const path of ["/", "/blog", `/blog/${slug}`, `/blog/tag/${tag}`, `/u/${author}`]) {
    // A new context each time: an empty cache, as on a first visit.
    const context = await browser.newContext();
    const page = await context.newPage();
    const urls = recordWasm(page);
    await page.goto(path);
    await hydrated(page);
    await page.waitForLoadState("networkidle");
    const bytes = await brotliBytes(page, urls);
    figures.push(`${path}: ${bytes} B brotli in ${urls.size} wasm file(s), budget ${budget.readerPageBrotli} B`);
    expect(bytes, `wasm fetched by a first visit to ${path} (budget in end2end/budget.ts)`).toBeLessThanOrEqual(budget.readerPageBrotli);
    await context.close();
  }
  console.log(figures.join("\n"));
});

test("the whole app's wasm stays within its budget", async () => {
  const pkg = join(serverEnv.LEPTOS_SITE_ROOT, "pkg");
  const files = readdirSync(pkg).filter((name) => name.endsWith(".wasm.br"));
  expect(files.length, `precompressed wasm in ${pkg}`).toBeGreaterThan(1);
  const total = files.reduce((sum, name) => sum + statSync(join(pkg, name)).size, 0);
  console.log(`whole app: ${total} B brotli in ${files.length} wasm file(s), budget ${budget.wholeAppBrotli} B`);
  expect(total, "all wasm of the app, brotli (budget in end2end/budget.ts)").toBeLessThanOrEqual(budget.wholeAppBrotli);
});

test("a lazy page counts as live only once its own code has arrived and hydrated", async ({ page, request }) => {
  const writer = unique("fl");
  await activeAccount(request, writer, "trainer");
  await logIn(page, writer);
  // Hold back the editor's chunks (not the main module) until the shell is surely live.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await page.route(/\/pkg\/chunk_\d+\.wasm$|\/pkg\/split_.*\.wasm$/, async (route) => {
    await held;
    await route.continue();
  });
  const mainModule = page.waitForResponse((response) => response.url().endsWith("/pkg/site.wasm"));
  await page.goto("/blog/new");
  await mainModule;
  await page.waitForTimeout(1500);
  await expect(page.locator(".app"), "not live while the editor's code is still on its way").toHaveAttribute("data-hydrated", "false");
  // The shell hydrates meanwhile (the server sent "Write a post · Commonplace"); the page's
  // own title comes with its code, and until then the document keeps the site's.
  await expect(page, "the document keeps a title meanwhile").toHaveTitle("Commonplace");
  release();
  await hydrated(page);
  // Live means the editor's own handlers answer at once.
  await page.getByLabel("Text", { exact: true }).fill("Two words");
  await expect(page.locator(".editor__count")).toHaveText("2 words · 9 characters");
});

test("from a reader page, the editor, the chat and the account page load their code on demand and work", async ({ page, request }) => {
  const writer = unique("fw");
  await activeAccount(request, writer, "trainer");
  const slug = await publishedPost(request, writer, unique("t"));
  await logIn(page, writer);

  // A full load of a reader page, then only client-side navigation from there.
  await page.goto(`/blog/${slug}`);
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  const urls = recordWasm(page);
  await markDocument(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Write" }).click();
  await expect(page).toHaveURL(/\/blog\/new$/);
  await page.getByLabel("Title", { exact: true }).fill("Written after a lazy load");
  await page.getByLabel("Text", { exact: true }).fill("Some **bold** words.");
  await expect(page.locator(".editor__preview strong")).toHaveText("bold");
  const editorChunks = urls.size;
  expect(editorChunks, "the editor's code was fetched when it was first shown").toBeGreaterThan(0);
  // The editor warns before a link would lose the draft; accept and go on.
  page.once("dialog", (dialog) => dialog.accept());

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat", exact: true }).click();
  await expect(page).toHaveURL(/\/chat$/);
  await expect(page.locator(".chat__status")).toHaveText("Live");
  const text = `Hello from a lazy chat ${unique("m")}`;
  await page.locator("#composer-text").fill(text);
  await page.locator("#composer-text").press("Enter");
  await expect(page.locator(".message__text").last()).toHaveText(text);
  expect(urls.size, "the chat's code was fetched when it was first shown").toBeGreaterThan(editorChunks);
  const chatChunks = urls.size;

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: writer }).click();
  await expect(page).toHaveURL(/\/account$/);
  await page.getByLabel("Name", { exact: true }).fill("Lazy Loader");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByRole("link", { name: "Lazy Loader" })).toBeVisible();
  expect(urls.size, "the account page's code was fetched when it was first shown").toBeGreaterThan(chatChunks);

  expect(await stillSameDocument(page), "every step was a client-side navigation, not a page load").toBe(true);
});
