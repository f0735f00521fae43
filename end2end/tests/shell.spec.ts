import { test, expect } from "@playwright/test";
import { activeAccount, hydrated, markDocument, publishedPost, stillSameDocument, unique } from "./support";

test("home page text is in the server-rendered HTML", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain("Write, read and talk");
  expect(html).toContain("<title>Commonplace</title>");
});

test("on a phone the navigation folds behind Menu, and following a link closes it", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const menu = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  const blogLink = nav.getByRole("link", { name: "Blog" });
  const open = page.locator("#site-nav:popover-open");
  await expect(blogLink).toBeHidden();
  await menu.click();
  await expect(open).toHaveCount(1);
  await expect(blogLink).toBeVisible();
  // Escape closes it, as a click on the page outside it does (here on the footer's text).
  await page.keyboard.press("Escape");
  await expect(open).toHaveCount(0);
  await expect(blogLink).toBeHidden();
  await menu.click();
  await expect(open).toHaveCount(1);
  await page.locator("footer p").first().click();
  await expect(open).toHaveCount(0);
  // A client-side navigation keeps the document, and still closes the menu.
  await menu.click();
  await markDocument(page);
  await blogLink.click();
  await expect(page).toHaveURL(/\/blog$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Blog");
  await expect(blogLink).toBeHidden();
  expect(await stillSameDocument(page), "a client-side navigation, not a page load").toBe(true);
});

test("hydration does not move a reader page on a phone", async ({ browser, request }) => {
  const author = unique("sh");
  await activeAccount(request, author, "trainer");
  const slug = await publishedPost(request, author, unique("t"));
  for (const path of ["/", "/blog", `/blog/${slug}`]) {
    const tops: number[] = [];
    for (const javaScriptEnabled of [false, true]) {
      const context = await browser.newContext({ javaScriptEnabled, viewport: { width: 390, height: 800 } });
      const page = await context.newPage();
      await page.goto(path);
      if (javaScriptEnabled) {
        await hydrated(page);
        // Every layout shift since the page began, as the browser recorded them.
        const shift = await page.evaluate(
          () =>
            new Promise<number>((resolve) => {
              let total = 0;
              new PerformanceObserver((list) => {
                for (const entry of list.getEntries() as unknown as { value: number; hadRecentInput: boolean }[]) {
                  if (!entry.hadRecentInput) total += entry.value;
                }
              }).observe({ type: "layout-shift", buffered: true });
              setTimeout(() => resolve(total), 300);
            }),
        );
        expect(shift, `${path}: layout shift while loading and hydrating`).toBe(0);
      }
      tops.push(await page.locator("#main").evaluate((main) => main.getBoundingClientRect().top));
      await context.close();
    }
    expect(tops[1], `${path}: where the page starts once hydrated, and without JavaScript`).toBe(tops[0]);
  }
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the phone menu opens and its links work", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto("/");
    const chat = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" });
    await expect(chat).toBeHidden();
    await page.getByRole("button", { name: "Menu" }).click();
    await expect(page.locator("#site-nav:popover-open")).toHaveCount(1);
    await chat.click();
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  });
});

test("header navigation reaches every section and marks the current one", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const [name, path, heading] of [
    ["Blog", "/blog", "Blog"],
    ["Chat", "/chat", "Chat"],
    ["Home", "/", "Write, read and talk — in one place."],
  ]) {
    await nav.getByRole("link", { name, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${path === "/" ? "/" : path}$`));
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);
    await expect(nav.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
  }
  await expect(nav.getByRole("link", { name: "Log in" })).toHaveAttribute("href", "/login");
  await expect(nav.getByRole("link", { name: "Sign up" })).toHaveAttribute("href", "/signup");
});

test("an unknown path shows the 404 page with status 404", async ({ page }) => {
  const response = await page.goto("/this/does/not/exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page).toHaveTitle("Page not found · Commonplace");
  await page.getByRole("link", { name: "Go to the home page" }).click();
  await expect(page).toHaveURL(/\/$/);
});

test("/health answers 200 JSON", async ({ request }) => {
  const response = await request.get("/health");
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/json");
  const body = await response.json();
  expect(body.status).toBe("up");
  expect(typeof body.start_time).toBe("number");
  expect(body.database.status).toBe("ok");
  expect(body.system_info.total_memory).toBeGreaterThan(0);
});

test("wasm bundle is served precompressed", async ({ request }) => {
  const response = await request.get("/pkg/site.wasm", { headers: { "accept-encoding": "br" } });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-encoding"]).toBe("br");
});
