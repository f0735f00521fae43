import { test, expect, Page } from "@playwright/test";
import { hydrated, PASSWORD, signUp, submitLogIn, unique } from "./support";

const NEW_PASSWORD = "Fresh-Meadow-Kite-77?";

/** Opens the development outbox and follows the newest link of `subject` sent to `email`. */
async function followMailedLink(page: Page, email: string, subject: string) {
  await page.goto("/dev/outbox");
  const message = page.locator(".outbox__message").filter({ hasText: email }).filter({ hasText: subject }).first();
  await expect(message).toBeVisible();
  await message.locator(".outbox__body a").first().click();
}

async function activeUser(page: Page) {
  const username = unique("u");
  const email = `${username}@example.com`;
  await signUp(page, username, email);
  await followMailedLink(page, email, "Activate your account");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account is active");
  return { username, email };
}

test("signup with a weak password shows each broken rule as the user types", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Username").fill("ada");
  await page.getByLabel("Password", { exact: true }).fill("abc");
  const errors = page.locator("#field-password-errors li");
  await expect(errors).toHaveText([
    "Password must be at least 8 characters (has 3)",
    "Password must contain an uppercase letter",
    "Password must contain a digit",
    "Password must contain a symbol such as ! ? # or %",
  ]);
  await page.getByLabel("Confirm password").fill("abd");
  await expect(page.locator("#field-password_confirm-errors li")).toHaveText(["Confirm password does not match the password"]);
  await page.getByLabel("Password", { exact: true }).fill("Abcdefg1!");
  await expect(errors).toHaveCount(0);
  await page.getByLabel("Username").fill("a b");
  await expect(page.locator("#field-username-errors li")).toHaveText(["Username may contain only letters, digits, _ . and -"]);
});

test("the server refuses a common password the browser cannot judge", async ({ page }) => {
  const username = unique("w");
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(`${username}@example.com`);
  await page.getByLabel("Password", { exact: true }).fill("Password1!");
  await page.getByLabel("Confirm password").fill("Password1!");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("#field-password-errors li")).toContainText("Password is too easy to guess");
  await expect(page.getByLabel("Username")).toHaveValue(username);
});

test("sign up, activate from the mailed link, log in and log out", async ({ page }) => {
  const username = unique("ada");
  const email = `${username}@example.com`;
  await signUp(page, username, email);

  await submitLogIn(page, username, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("Your account is not activated yet");
  await expect(page.getByRole("link", { name: "Send me a new activation email" })).toBeVisible();

  await followMailedLink(page, email, "Activate your account");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account is active");

  await submitLogIn(page, email, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: username })).toBeVisible();

  await nav.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(nav.getByRole("link", { name: "Log in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
});

test("forgot password, reset from the mailed link, new password works and the old one does not", async ({ page }) => {
  const { username, email } = await activeUser(page);
  await page.goto("/forgot-password");
  await hydrated(page);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toContainText("If an account uses that address");

  await followMailedLink(page, email, "Reset your password");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Choose a new password");
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "Set new password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=done$/);
  await expect(page.getByRole("status")).toContainText("Your password was changed");

  await submitLogIn(page, username, PASSWORD);
  await expect(page.getByRole("alert")).toContainText("Incorrect username, email or password.");
  await submitLogIn(page, username, NEW_PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
});

test("/signup while logged in redirects to the account page", async ({ page }) => {
  const { username } = await activeUser(page);
  await submitLogIn(page, username, PASSWORD);
  await expect(page).toHaveURL(/\/account$/);
  const response = await page.goto("/signup");
  await expect(page).toHaveURL(/\/account$/);
  expect(response?.status()).toBe(200);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the login form reports a wrong password and then logs in", async ({ page, browser }) => {
    const setup = await browser.newPage({ javaScriptEnabled: true });
    const { username } = await activeUser(setup);
    await setup.close();

    await page.goto("/login");
    await page.getByLabel("Username or email").fill(username);
    await page.getByLabel("Password").fill("Wrong-Password-1!");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.getByRole("alert")).toContainText("Incorrect username, email or password.");
    await expect(page.getByLabel("Username or email")).toHaveValue(username);

    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page).toHaveURL(/\/account$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your account");
  });

  test("the signup form shows the server's field errors and keeps what was typed", async ({ page }) => {
    await page.goto("/signup");
    await page.getByLabel("Username").fill("no spaces allowed");
    await page.getByLabel("Email").fill("nobody@example");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.locator("#field-username-errors li")).toHaveText(["Username may contain only letters, digits, _ . and -"]);
    await expect(page.locator("#field-email-errors li")).toHaveText(["Email must be a valid email address, like name@example.com"]);
    await expect(page.locator("#field-password-errors li")).toHaveCount(4);
    await expect(page.getByLabel("Username")).toHaveValue("no spaces allowed");
  });
});
