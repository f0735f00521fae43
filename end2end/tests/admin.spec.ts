import { test, expect } from "@playwright/test";
import { activeAccount, logIn, PASSWORD } from "./support";
import { execFileSync } from "node:child_process";
import { serverBin, serverEnv } from "../playwright.config";

test("an admin promotes one user and deactivates another, who is logged out at once", async ({ browser, request }) => {
  const suffix = Date.now().toString(36);
  const [boss, promoted, banned] = [`boss${suffix}`, `pro${suffix}`, `ban${suffix}`];
  for (const name of [boss, promoted, banned]) await activeAccount(request, name);
  execFileSync(serverBin, ["promote-admin", boss], { env: { ...process.env, ...serverEnv }, cwd: __dirname + "/.." });

  const victim = await browser.newPage();
  await logIn(victim, banned);

  const admin = await browser.newPage();
  await logIn(admin, boss);
  await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
  await expect(admin).toHaveURL(/\/admin\/users$/);
  await expect(admin.getByRole("heading", { level: 1 })).toHaveText("Users");

  await admin.getByLabel("Search").fill(suffix);
  await admin.getByRole("button", { name: "Filter" }).click();
  await expect(admin.getByText("3 users")).toBeVisible();
  await expect(admin.locator(".app")).toHaveAttribute("data-hydrated", "true");

  const row = admin.locator(`tr[data-user="${promoted}"]`);
  await row.getByLabel(`Role of ${promoted}`, { exact: true }).selectOption("trainer");
  await row.getByRole("button", { name: `Save role of ${promoted}` }).click();
  await expect(admin.locator(`tr[data-user="${promoted}"]`).getByLabel(`Role of ${promoted}`, { exact: true })).toHaveValue("trainer");

  await admin.locator(`tr[data-user="${banned}"]`).getByRole("button", { name: `Deactivate ${banned}` }).click();
  await expect(admin.locator(`tr[data-user="${banned}"]`)).toContainText("inactive");

  await victim.goto("/account");
  await expect(victim).toHaveURL(/\/login\?next=\/account$/);
  await victim.getByLabel("Username or email").fill(banned);
  await victim.getByLabel("Password").fill(PASSWORD);
  await victim.getByRole("button", { name: "Log in" }).click();
  await expect(victim.getByRole("alert")).toContainText("This account has been deactivated.");

  const stranger = await browser.newPage();
  await logIn(stranger, promoted);
  await stranger.goto("/admin/users");
  await expect(stranger.getByRole("heading", { level: 1 })).toHaveText("Administrators only");
});

test("a search the server refuses is named next to the filters, not a blank list", async ({ page, request }) => {
  const boss = `chief${Date.now().toString(36)}`;
  await activeAccount(request, boss);
  execFileSync(serverBin, ["promote-admin", boss], { env: { ...process.env, ...serverEnv }, cwd: __dirname + "/.." });
  await logIn(page, boss);
  // A control character can only arrive through a hand-made link; the form caps the length.
  await page.goto("/admin/users?q=ad%01a");
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("These filters cannot be used:");
  await expect(alert).toContainText("Search must be at most 100 characters, without control characters.");
  await expect(page.getByLabel("Search")).toHaveAttribute("maxlength", "100");
  await page.getByLabel("Search").fill(boss);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("1 user", { exact: true })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveCount(0);
});
