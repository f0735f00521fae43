// Fast pages for readers: a reader page (and every other page of links and forms only)
// downloads no wasm (within the budget), its links and forms still navigate client-side,
// and the code of the app pages arrives on demand when the reader goes there.
import { test, expect, APIRequestContext, Browser, BrowserContextOptions, Page } from "@playwright/test";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { budget } from "../budget";
import { serverEnv } from "../playwright.config";
import { activeAccount, hydrated, logIn, markDocument, PASSWORD, publishedPost, stillSameDocument, unique } from "./support";

type StorageState = BrowserContextOptions["storageState"];

/** Starts recording the wasm the page requests: each request's path, in order, so a
 *  file fetched twice shows twice. */
function recordWasm(page: Page) {
  const paths: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (path.endsWith(".wasm")) paths.push(path);
  });
  return paths;
}

/** The brotli bytes the server sends for each path (what a browser that accepts br gets). */
async function brotliBytes(request: APIRequestContext, paths: Iterable<string>) {
  let total = 0;
  for (const path of paths) {
    const response = await request.get(path, { headers: { "accept-encoding": "br" } });
    expect(response.status(), path).toBe(200);
    expect(response.headers()["content-encoding"], `${path} is served brotli-compressed`).toBe("br");
    total += Number(response.headers()["content-length"]);
  }
  return total;
}

/** A new browser context (an empty cache) signed in as `page` is. */
async function signedInContext(browser: Browser, page: Page) {
  return browser.newContext({ storageState: await page.context().storageState() });
}

/** A post by a new trainer, and a new active account to read it with. */
async function postAndReader(request: APIRequestContext) {
  const author = unique("fa");
  await activeAccount(request, author, "trainer");
  const slug = await publishedPost(request, author, unique("t"));
  const reader = unique("rd");
  await activeAccount(request, reader);
  return { slug, reader };
}

/** Visits each path in a new context (an empty cache, as on a first visit) and checks the
 *  wasm it fetched against the budget; returns one line of figures per path. */
async function firstVisits(browser: Browser, paths: string[], storageState?: StorageState) {
  const figures: string[] = [];
  for (const path of paths) {
    const context = await browser.newContext({ storageState });
    const page = await context.newPage();
    const wasm = recordWasm(page);
    await page.goto(path);
    const shown = new URL(page.url());
    expect(shown.pathname + shown.search, `${path} is shown, not a redirect`).toBe(path);
    await hydrated(page);
    await page.waitForLoadState("networkidle");
    const files = new Set(wasm);
    const bytes = await brotliBytes(page.request, files);
    figures.push(`${path}: ${bytes} B brotli in ${files.size} wasm file(s), budget ${budget.readerPageBrotli} B`);
    expect(bytes, `wasm fetched by a first visit to ${path} (budget in end2end/budget.ts)`).toBeLessThanOrEqual(budget.readerPageBrotli);
    await context.close();
  }
  return figures;
}

test("a reader's first visit downloads no more wasm than the budget", async ({ browser, request }) => {
  const author = unique("fp");
  await activeAccount(request, author, "trainer");
  const tag = unique("t");
  const slug = await publishedPost(request, author, tag);
  const paths = ["/", "/blog", `/blog/${slug}`, `/blog/tag/${tag}`, `/u/${author}`, `/blog/search?q=${tag}`];
  console.log((await firstVisits(browser, paths)).join("\n"));
});

test("pages of links and forms only download no wasm either, signed in or not", async ({ browser, request }) => {
  const anonymous = await firstVisits(browser, [
    "/docs/api",
    "/forgot-password",
    "/activation/resend",
    "/signup/check-email",
    "/activate?token=unknown",
    "/dev/outbox",
  ]);
  // An admin sees every signed-in one: drafts, the review queue and user admin.
  const admin = unique("fa");
  await activeAccount(request, admin, "admin");
  const context = await browser.newContext();
  const page = await context.newPage();
  await logIn(page, admin);
  const storageState = await context.storageState();

  // From the hydrated app (the account page), the header's links load them as documents.
  await hydrated(page);
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Users");
  await expect(page.locator('meta[name="commonplace:page"]'), "the page's own document").toHaveCount(1);
  await hydrated(page);
  await markDocument(page);
  const wasm = recordWasm(page);
  // And from one document to the next, the start script navigates without a page load.
  await nav.getByRole("link", { name: "Review" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Review queue");
  expect(await stillSameDocument(page), "a client-side visit").toBe(true);
  expect(wasm, "no wasm for a document").toEqual([]);
  await context.close();

  const signedIn = await firstVisits(browser, ["/blog/drafts", "/review", "/admin/users"], storageState);
  console.log([...anonymous, ...signedIn].join("\n"));
});

test("the whole app's wasm stays within its budget", async ({ request }) => {
  // The app is one module (no split chunks), so the module an app page names to hydrate
  // with is all of it; any other wasm in the build would go unweighed.
  const pkg = join(serverEnv.LEPTOS_SITE_ROOT, "pkg");
  const built = readdirSync(pkg).filter((name) => name.endsWith(".wasm"));
  expect(built, `the wasm in ${pkg} (another file is an old build's: remove the folder and build again)`).toEqual(["site.wasm"]);
  const html = await (await request.get("/login")).text();
  const wasm = html.match(/data-app-wasm="([^"]+)"/)?.[1];
  expect(wasm, "the log-in page names the app's wasm").toBeTruthy();
  const total = await brotliBytes(request, [wasm!]);
  console.log(`whole app: ${total} B brotli (${wasm}), budget ${budget.wholeAppBrotli} B`);
  expect(total, "all wasm of the app, brotli (budget in end2end/budget.ts)").toBeLessThanOrEqual(budget.wholeAppBrotli);
});

test("a reader moves between reader pages without wasm or page loads, and Back returns to the same place", async ({ page, request }) => {
  const author = unique("nv");
  await activeAccount(request, author, "trainer");
  const tag = unique("t");
  const slug = await publishedPost(request, author, tag);
  const title = `A post by ${author}`;
  await page.setViewportSize({ width: 390, height: 500 });
  const wasm = recordWasm(page);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  const fetched: string[] = [];
  page.on("request", (request) => request.resourceType() === "fetch" && fetched.push(new URL(request.url()).pathname));
  await page.goto(`/u/${author}`);
  await hydrated(page);
  await markDocument(page);

  await page.getByRole("link", { name: title }).first().click();
  await expect(page).toHaveURL(new RegExp(`/blog/${slug}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  // What a shared link and a search engine read follows the page.
  await expect(page).toHaveTitle(`${title} · Commonplace`);
  await expect(page.locator("head title")).toHaveCount(1);
  await expect(page.locator('meta[name="description"]')).toHaveAttribute("content", "What a reader sees when the link is shared.");
  await expect(page.locator('link[rel="canonical"]')).toHaveAttribute("href", new RegExp(`/blog/${slug}$`));
  await expect(page.locator('meta[property="og:type"]')).toHaveAttribute("content", "article");
  await expect(page.locator("#main"), "focus moves to the new page's content").toBeFocused();

  // A link to a section of the same page scrolls there; it is no visit, nor is going back.
  const visits = fetched.length;
  await page.locator("#post-body a.anchor").first().click();
  await expect(page).toHaveURL(new RegExp(`/blog/${slug}#a-heading$`));
  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/blog/${slug}$`));
  expect(fetched.length, "no page was fetched for a fragment").toBe(visits);

  // Far down the post, the reader follows a link in the footer, then comes back.
  const footerBlog = page.getByRole("navigation", { name: "Footer" }).getByRole("link", { name: "Blog" });
  await footerBlog.scrollIntoViewIfNeeded();
  const scrolled = await page.evaluate(() => window.scrollY);
  expect(scrolled, "the footer is below the fold on a phone").toBeGreaterThan(0);
  await footerBlog.click();
  await expect(page).toHaveURL(/\/blog$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Blog");
  await expect(page.locator('meta[property="og:type"]')).toHaveAttribute("content", "website");
  expect(await page.evaluate(() => window.scrollY), "a new page starts at its top").toBe(0);

  await page.goBack();
  await expect(page).toHaveURL(new RegExp(`/blog/${slug}$`));
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  await expect.poll(() => page.evaluate(() => window.scrollY), "Back returns to where the reader was").toBe(scrolled);
  await page.goForward();
  await expect(page).toHaveURL(/\/blog$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Blog");

  expect(wasm, "reader pages fetch no wasm").toEqual([]);
  expect(await stillSameDocument(page), "every step was a client-side navigation").toBe(true);
  expect(errors, "no script errors").toEqual([]);
});

test("a reader likes and comments in place; a refused comment keeps its text", async ({ page, request }) => {
  const { slug, reader } = await postAndReader(request);
  await page.setViewportSize({ width: 390, height: 500 });
  await logIn(page, reader);
  await page.goto(`/blog/${slug}`);
  await hydrated(page);
  const wasm = recordWasm(page);
  await markDocument(page);

  const like = page.getByRole("button", { name: /Like/ });
  await like.scrollIntoViewIfNeeded();
  const where = await page.evaluate(() => window.scrollY);
  expect(where, "the like button is below the fold on a phone").toBeGreaterThan(0);
  await like.click();
  const liked = page.getByRole("button", { name: /Liked/ });
  await expect(liked).toContainText("1");
  await expect(liked, "focus stays on the button").toBeFocused();
  expect(await page.evaluate(() => window.scrollY), "the page stays where it was").toBe(where);
  await expect(page).toHaveURL(new RegExp(`/blog/${slug}$`));

  const text = "Kept\u0007 text";
  await page.getByLabel("Add a comment").fill(text);
  await page.getByRole("button", { name: "Post comment" }).click();
  await expect(page.getByRole("alert")).toContainText("Your comment must not contain control characters.");
  await expect(page.getByLabel("Add a comment"), "what was typed is kept").toHaveValue(text);
  await expect(page, "the address stays the post's").toHaveURL(new RegExp(`/blog/${slug}$`));
  await page.getByLabel("Add a comment").fill("Posted in place.");
  await page.getByRole("button", { name: "Post comment" }).click();
  await expect(page.locator(".comment")).toContainText("Posted in place.");
  await expect(page.getByRole("alert")).toHaveCount(0);
  await expect(page.getByLabel("Add a comment")).toHaveValue("");

  // The home page streams the signed-in part of the header after the rest.
  await page.getByRole("link", { name: "Commonplace" }).first().click();
  await expect(page).toHaveURL(/\/$/);
  // (The phone's menu is closed: its links are in the page but hidden.)
  await expect(page.locator("#site-nav").getByRole("link", { name: reader, includeHidden: true })).toBeAttached();

  expect(wasm, "reader pages fetch no wasm").toEqual([]);
  expect(await stillSameDocument(page), "every post was answered in place").toBe(true);
});

test("a reader who logs in to comment comes back to the comments", async ({ page, request }) => {
  const { slug, reader } = await postAndReader(request);
  await page.setViewportSize({ width: 390, height: 500 });
  await page.goto(`/blog/${slug}`);
  await hydrated(page);
  await page.locator("#comments").getByRole("link", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/login\?next=/);
  await hydrated(page);
  await page.getByLabel("Username or email").fill(reader);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();

  // The app loads the post as a document; the browser would restore the top of the page.
  await expect(page).toHaveURL(new RegExp(`/blog/${slug}#comments$`));
  // The post's own document, not the app's page (whose address the router changed first).
  await expect(page.locator('meta[name="commonplace:page"]')).toHaveCount(1);
  await expect(page.getByLabel("Add a comment")).toBeVisible();
  await expect(page.locator("#comments")).toBeInViewport();
  expect(await page.evaluate(() => window.scrollY), "scrolled down to the comments").toBeGreaterThan(0);
  expect(await page.evaluate(() => window.history.state?.toFragment), "nothing is left asked for").toBeUndefined();
  // A reload of the entry later restores where the reader was, as usual.
  await page.evaluate(() => window.scrollTo(0, 40));
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(40);
  await page.reload();
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBe(40);
});

test("a link whose fragment is not valid percent-encoding still navigates", async ({ page }) => {
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto("/");
  await hydrated(page);
  await markDocument(page);
  await page.evaluate(() => {
    const link = Object.assign(document.createElement("a"), { href: "/blog#%", textContent: "Odd link" });
    document.querySelector("main")!.append(link);
  });
  await page.getByRole("link", { name: "Odd link" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Blog");
  await expect(page.locator("#main")).toBeFocused();
  expect(await stillSameDocument(page), "a client-side visit").toBe(true);
  expect(errors, "no script errors").toEqual([]);
});

test("a comment the server cannot be reached for says so, keeps its text and is not sent again", async ({ page, request }) => {
  const { slug, reader } = await postAndReader(request);
  await logIn(page, reader);
  await page.goto(`/blog/${slug}`);
  await hydrated(page);
  await markDocument(page);

  // The connection drops as the comment is sent.
  let posts = 0;
  await page.route("**/fn/**", (route) => {
    posts += 1;
    return route.abort("connectionreset");
  });
  await page.getByLabel("Add a comment").fill("Sent on a train.");
  await page.getByRole("button", { name: "Post comment" }).click();
  await expect(page.getByRole("alert")).toHaveText("Not sent: the server could not be reached. Please try again.");
  await expect(page.getByLabel("Add a comment"), "what was typed is kept").toHaveValue("Sent on a train.");
  expect(posts, "the post was tried once, not sent again").toBe(1);
  await expect(page, "the reader stays on the post").toHaveURL(new RegExp(`/blog/${slug}$`));

  // Back online, the same form sends it, and the stale message goes.
  await page.unroute("**/fn/**");
  await page.getByRole("button", { name: "Post comment" }).click();
  await expect(page.locator(".comment")).toContainText("Sent on a train.");
  await expect(page.getByRole("alert")).toHaveCount(0);
  expect(await stillSameDocument(page), "answered in place").toBe(true);
});

test("an app page counts as live only once its code has arrived and hydrated", async ({ browser, page, request }) => {
  const writer = unique("fl");
  await activeAccount(request, writer, "trainer");
  await logIn(page, writer);
  // A new context: the app's wasm is not in its cache. Hold it back until the page has
  // surely painted.
  const context = await signedInContext(browser, page);
  let release = () => {};
  try {
    const editor = await context.newPage();
    const held = new Promise<void>((resolve) => (release = resolve));
    let asked = false;
    await editor.route(/\/pkg\/site\.wasm$/, async (route) => {
      asked = true;
      await held;
      await route.continue();
    });
    await editor.goto("/blog/new");
    await expect.poll(() => asked, { message: "the app's wasm was asked for" }).toBe(true);
    await editor.waitForTimeout(1000);
    await expect(editor.locator(".app"), "not live while the app's code is still on its way").toHaveAttribute("data-hydrated", "false");
    await expect(editor, "the server-rendered page is shown meanwhile").toHaveTitle("Write a post · Commonplace");
    release();
    await hydrated(editor);
    // Live means the editor's own handlers answer at once.
    await editor.getByLabel("Text", { exact: true }).fill("Two words");
    await expect(editor.locator(".editor__count")).toHaveText("2 words · 9 characters");
    await expect(editor).toHaveTitle("Write a post · Commonplace");
  } finally {
    release();
    await context.close();
  }
});

test("from an app page, a reader page loads as a document without wasm, and Back brings the app page back live", async ({ page, request }) => {
  const writer = unique("fd");
  await activeAccount(request, writer, "trainer");
  await logIn(page, writer);
  await page.goto("/blog/new");
  await hydrated(page);
  await markDocument(page);
  const wasm = recordWasm(page);

  // The app has no reader page's code: it loads the page as a document.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Blog" }).click();
  await expect(page).toHaveURL(/\/blog$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Blog");
  await expect(page).toHaveTitle("Blog · Commonplace");
  await expect(page.locator(".loading-document")).toHaveCount(0);
  expect(await stillSameDocument(page), "a reader page is loaded as a document").toBe(false);
  await hydrated(page);
  await page.waitForLoadState("networkidle");
  expect(wasm, "a reader page fetches no wasm, even after an app page").toEqual([]);

  // Back to the editor: a fresh document (never the one left behind, loading), live again.
  await page.goBack();
  await expect(page).toHaveURL(/\/blog\/new$/);
  await expect.poll(() => stillSameDocument(page).catch(() => true), { message: "the editor is loaded anew" }).toBe(false);
  await expect(page.locator(".loading-document")).toHaveCount(0);
  await hydrated(page);
  await page.getByLabel("Text", { exact: true }).fill("Two words");
  await expect(page.locator(".editor__count")).toHaveText("2 words · 9 characters");
});

test("from a reader page, the editor loads the app's code on demand, and the chat and the account page run on it", async ({ browser, page, request }) => {
  const writer = unique("fw");
  await activeAccount(request, writer, "trainer");
  const slug = await publishedPost(request, writer, unique("t"));
  await logIn(page, writer);
  // A new context, signed in: no app page has been shown in it, so no wasm is cached.
  const context = await signedInContext(browser, page);
  try {
    const reader = await context.newPage();
    const fetched = recordWasm(reader);

    // A full load of a reader page, then only client-side navigation from there.
    await reader.goto(`/blog/${slug}`);
    await hydrated(reader);
    await reader.waitForLoadState("networkidle");
    expect(fetched, "a reader page fetches no wasm").toEqual([]);
    await markDocument(reader);

    await reader.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Write" }).click();
    await expect(reader).toHaveURL(/\/blog\/new$/);
    // The reader page had no wasm: the editor is swapped in, then the app hydrates it.
    await hydrated(reader);
    await reader.getByLabel("Title", { exact: true }).fill("Written after a load on demand");
    await reader.getByLabel("Text", { exact: true }).fill("Some **bold** words.");
    await expect(reader.locator(".editor__preview strong")).toHaveText("bold");
    // The app's one module: fetched once, when the first app page was shown.
    expect(fetched, "the app's code was fetched when the editor was first shown").toEqual(["/pkg/site.wasm"]);
    // The editor warns before a link would lose the draft; accept and go on.
    reader.once("dialog", (dialog) => dialog.accept());

    await reader.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat", exact: true }).click();
    await expect(reader).toHaveURL(/\/chat$/);
    await expect(reader.locator(".chat__status")).toHaveText("Live");
    const text = `Hello from a chat loaded on demand ${unique("m")}`;
    await reader.locator("#composer-text").fill(text);
    await reader.locator("#composer-text").press("Enter");
    await expect(reader.locator(".message__text").last()).toHaveText(text);

    await reader.getByRole("navigation", { name: "Main" }).getByRole("link", { name: writer }).click();
    await expect(reader).toHaveURL(/\/account$/);
    await reader.getByLabel("Name", { exact: true }).fill("Demand Loader");
    await reader.getByRole("button", { name: "Save profile" }).click();
    await expect(reader.getByRole("link", { name: "Demand Loader" })).toBeVisible();

    expect(fetched, "the chat and the account page fetched no more code").toEqual(["/pkg/site.wasm"]);
    expect(await stillSameDocument(reader), "every step was a client-side navigation, not a page load").toBe(true);
  } finally {
    await context.close();
  }
});
