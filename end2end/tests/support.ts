// Shared steps of the end-to-end tests: accounts made through the server functions,
// logging in through the real form, waiting for hydration.
import { expect, Browser, Page, APIRequestContext } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { serverBin, serverEnv } from "../playwright.config";

export const PASSWORD = "Plum-Orbit-Lantern-42!";

/** A short name no other test run uses. */
export function unique(prefix: string) {
  return `${prefix}${Date.now().toString(36).slice(-5)}${Math.floor(Math.random() * 1e3)}`;
}

/** Runs axe (WCAG 2.1 AA) on the page as it is now; every violation fails the test. */
export async function expectAccessible(page: Page, label: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const problems = results.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  expect(problems, `${label}: accessibility violations`).toEqual([]);
}

/** Marks the current document; `stillSameDocument` then tells whether every step since
 *  was a client-side navigation rather than a page load. */
export async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
}

export async function stillSameDocument(page: Page) {
  return page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed === true);
}

/** Waits until the page is live: the app's wasm arrived and the page's own route hydrated. */
export async function hydrated(page: Page) {
  await expect(page.locator(".app")).toHaveAttribute("data-hydrated", "true");
}

/** Gives an account a role with the server's own maintenance command. */
export function setRole(username: string, role: "client" | "trainer" | "admin") {
  execFileSync(serverBin, ["set-role", username, role], { env: { ...process.env, ...serverEnv }, cwd: __dirname + "/.." });
}

/**
 * Signs up and activates an account through the server functions and the dev outbox.
 * A new account is a client, whose posts are reviewed before publishing; `role` makes it
 * a trainer (publishes directly) or an admin (reviews).
 */
export async function activeAccount(request: APIRequestContext, username: string, role?: "trainer" | "admin") {
  const email = `${username}@example.com`;
  const signup = await request.post("/fn/accounts/signup", {
    headers: { accept: "application/json" },
    form: { username, email, name: "", password: PASSWORD, password_confirm: PASSWORD },
  });
  expect(signup.status()).toBe(200);
  const outbox = await (await request.post("/fn/dev/outbox", { headers: { accept: "application/json" } })).json();
  const mail = outbox.find((m: { recipient: string }) => m.recipient === email);
  const token = /\/activate\?token=(\S+)/.exec(mail.body)![1];
  const activated = await request.post("/fn/accounts/activate", { headers: { accept: "application/json" }, form: { token } });
  expect(activated.status()).toBe(200);
  if (role) setRole(username, role);
}

/** Signs up through the form (hydrated) and waits for "Check your email", a document page
 *  the app loads as one: a test that went on at the address alone could have its next
 *  navigation interrupted by that load. */
export async function signUp(page: Page, username: string, email: string, password = PASSWORD) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password").fill(password);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/signup\/check-email$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Check your email");
}

/** Fills in and sends the log-in form, whatever the answer; works with and without
 *  JavaScript. */
export async function submitLogIn(page: Page, login: string, password = PASSWORD, javascript = true) {
  await page.goto("/login");
  if (javascript) await hydrated(page);
  await page.getByLabel("Username or email").fill(login);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Logs in through the form and lands on the account page; works with and without
 *  JavaScript. */
export async function logIn(page: Page, username: string, javascript = true) {
  await submitLogIn(page, username, PASSWORD, javascript);
  await expect(page).toHaveURL(/\/account$/);
}

/** Publishes a post through the Conduit API as `username` (an active trainer); returns its slug. */
export async function publishedPost(request: APIRequestContext, username: string, tag: string) {
  const login = await request.post("/conduit/api/users/login", {
    data: { user: { email: `${username}@example.com`, password: PASSWORD } },
  });
  expect(login.status()).toBe(200);
  const { token } = (await login.json()).user;
  const created = await request.post("/conduit/api/articles", {
    headers: { authorization: `Token ${token}` },
    data: {
      article: {
        title: `A post by ${username}`,
        description: "What a reader sees when the link is shared.",
        body: "## A heading\n\nA paragraph with a [link](https://example.com).\n\n```rust\nfn main() {}\n```\n\n> A quote.",
        tagList: [tag],
      },
    },
  });
  expect(created.status()).toBe(201);
  return (await created.json()).article.slug as string;
}

/** A fresh reader who finds the post titled `title` on /blog and opens it. */
export async function openFromBlog(browser: Browser, title: string): Promise<Page> {
  const reader = await (await browser.newContext()).newPage();
  await reader.goto("/blog");
  await reader.getByRole("link", { name: title }).click();
  await expect(reader.getByRole("heading", { level: 1 })).toHaveText(title);
  return reader;
}
