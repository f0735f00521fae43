import { test, expect } from "@playwright/test";
import { hydrated, logIn, signUp } from "./support";

test("a user creates an API token, uses it from a script, revokes it and it stops working", async ({ page, request }) => {
  const username = `tok${Date.now().toString(36)}`;
  const email = `${username}@example.com`;
  await signUp(page, username, email);
  await page.goto("/dev/outbox");
  await page.locator(".outbox__message").filter({ hasText: email }).locator(".outbox__body a").first().click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account is active");
  await logIn(page, username);
  await hydrated(page);

  const panel = page.locator("section", { has: page.getByRole("heading", { name: "API tokens" }) });
  await expect(panel.getByText("You have no API tokens.")).toBeVisible();
  await panel.getByLabel("Token name").fill("nightly backup");
  await panel.getByLabel("Expires in (days)").fill("30");
  await panel.getByRole("button", { name: "Create token" }).click();
  const key = (await panel.locator(".token-key").textContent())!.trim();
  expect(key).toMatch(/^cpt_[A-Za-z0-9_-]{43}$/);
  await expect(panel.getByRole("cell", { name: "nightly backup", exact: true })).toBeVisible();
  await expect(panel.getByRole("row", { name: /nightly backup/ }).locator("td").nth(2)).toHaveText("never");

  // What a script would do: call with the key and no cookies.
  const asScript = async () => {
    const response = await request.post("/fn/accounts/current-user", {
      headers: { authorization: `Token ${key}`, cookie: "" },
    });
    expect(response.status()).toBe(200);
    return response.json();
  };
  expect((await asScript()).username).toBe(username);

  await page.reload();
  await hydrated(page);
  const lastUsed = panel.getByRole("row", { name: /nightly backup/ }).locator("td").nth(2);
  await expect(lastUsed).toHaveText(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
  await panel.getByRole("button", { name: "Revoke nightly backup" }).click();
  await expect(panel.getByText("You have no API tokens.")).toBeVisible();
  expect(await asScript()).toBeNull();
});
