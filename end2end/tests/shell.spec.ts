import { test, expect } from "@playwright/test";

test("home page text is in the server-rendered HTML", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain("Write, read and talk");
  expect(html).toContain("<title>Commonplace</title>");
});

test("home page hydrates: the phone menu button opens and closes the navigation", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto("/");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  const menu = page.getByRole("button", { name: "Menu" });
  const blogLink = page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Blog" });
  await expect(menu).toHaveAttribute("aria-expanded", "false");
  await expect(blogLink).toBeHidden();
  await menu.click();
  await expect(menu).toHaveAttribute("aria-expanded", "true");
  await expect(blogLink).toBeVisible();
  await blogLink.click();
  await expect(page).toHaveURL(/\/blog$/);
  await expect(blogLink).toBeHidden();
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the phone navigation stays visible and usable", async ({ page }) => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto("/");
    await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
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
