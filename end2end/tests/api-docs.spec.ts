import { test, expect } from "@playwright/test";

test("the footer leads to the API reference, whose contents jump to each endpoint and type", async ({ page }) => {
  await page.goto("/");
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
  await page.getByRole("navigation", { name: "Footer" }).getByRole("link", { name: "API" }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Commonplace API");
  await expect(page).toHaveTitle("API reference · Commonplace");

  const contents = page.getByRole("navigation", { name: "API contents" });
  await contents.getByRole("link", { name: "GET /api/users/statistics" }).click();
  await expect(page).toHaveURL(/#get-api-users-statistics$/);
  const endpoint = page.locator("#get-api-users-statistics");
  await expect(endpoint).toBeInViewport();
  await expect(endpoint).toContainText("Count users per role");
  await expect(endpoint).toContainText("JWT access token, API token or Session cookie.");

  await endpoint.getByRole("link", { name: "UserStatistics" }).click();
  await expect(page).toHaveURL(/#type-UserStatistics$/);
  const type = page.locator("#type-UserStatistics");
  await expect(type).toBeInViewport();
  await expect(type.getByRole("row", { name: /unverified/ })).toBeVisible();
});

test("the example request shown for registering works as shown", async ({ page, request }) => {
  await page.goto("/docs/api#post-api-auth-register");
  const endpoint = page.locator("#post-api-auth-register");
  await endpoint.getByText("Example request").click();
  const curl = await endpoint.locator(".endpoint__example pre").innerText();
  expect(curl).toContain("curl -X POST");
  const body = curl.match(/-d '(.*)'$/m)?.[1];
  expect(body, curl).toBeTruthy();
  const response = await request.post("/api/auth/register", {
    data: JSON.parse(body!),
    headers: { "content-type": "application/json" },
  });
  expect(response.status(), await response.text()).toBe(200);
  // Registering again is refused with the reason, as the responses table says.
  const again = await request.post("/api/auth/register", { data: JSON.parse(body!) });
  expect(again.status()).toBe(400);
  expect((await again.json()).fields.username).toContain("is already taken");
  await expect(endpoint.getByRole("row", { name: /^400/ })).toContainText("taken");
});

test("the machine-readable description is linked and is OpenAPI 3", async ({ page, request }) => {
  await page.goto("/docs/api");
  const link = page.getByRole("link", { name: "OpenAPI 3 description (JSON)" });
  await expect(link).toHaveAttribute("href", "/api/openapi.json");
  const spec = await (await request.get("/api/openapi.json")).json();
  expect(spec.openapi).toMatch(/^3\./);
  expect(Object.keys(spec.paths)).toContain("/api/users/{id}");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the whole reference is readable and its contents links work", async ({ page }) => {
    await page.goto("/docs/api");
    await expect(page.getByRole("heading", { name: "Authentication" })).toBeVisible();
    await page.getByRole("navigation", { name: "API contents" }).getByRole("link", { name: "DELETE /api/auth/token" }).click();
    await expect(page).toHaveURL(/#delete-api-auth-token$/);
    await expect(page.locator("#delete-api-auth-token")).toContainText("Credentials: API token.");
  });
});
