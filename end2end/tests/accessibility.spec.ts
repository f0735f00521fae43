import { test, expect } from "@playwright/test";
import { activeAccount, expectAccessible, hydrated, logIn, unique } from "./support";

// One test per colour scheme: each walks a dozen pages through axe.
for (const colorScheme of ["light", "dark"] as const) {
  test(`the blog's pages pass axe in ${colorScheme}, signed out and signed in`, async ({ browser, request }) => {
    const author = unique("ax");
    await activeAccount(request, author, "trainer");
    const context = await browser.newContext({ colorScheme });
    const page = await context.newPage();
    await logIn(page, author);
    await page.goto("/blog/new");
    await hydrated(page);
    await expectAccessible(page, `editor (${colorScheme})`);
    await page.getByLabel("Title", { exact: true }).fill(`Accessible ${colorScheme} ${unique("p")}`);
    await page.getByLabel("Tags", { exact: true }).fill("a11y");
    await page.getByLabel("Text", { exact: true }).fill("## Heading\n\n```rust\nfn main() {}\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n> quote");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await expect(page).not.toHaveURL(/\/blog\/new$/);
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Accessible");
    const post = new URL(page.url()).pathname;
    await page.getByLabel("Add a comment").fill("A comment to check.");
    await page.getByRole("button", { name: "Post comment" }).click();
    await expect(page.locator(".comment")).toHaveCount(1);
    for (const path of [post, "/blog", "/blog?sort=top&period=all", "/blog/tag/a11y", `/u/${author}`, "/blog/search?q=accessible", "/blog/drafts", "/account"]) {
      await page.goto(path);
      await hydrated(page);
      await expectAccessible(page, `${path} (${colorScheme}, signed in)`);
    }
    const reader = await (await browser.newContext({ colorScheme })).newPage();
    for (const path of [post, "/blog"]) {
      await reader.goto(path);
      await hydrated(reader);
      await expectAccessible(reader, `${path} (${colorScheme}, signed out)`);
    }
  });
}

// One test per colour scheme and screen: each signs in afresh and loads the chat's code.
for (const colorScheme of ["light", "dark"] as const) {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
    const label = `/chat (${colorScheme}, ${viewport.width}px)`;
    test(`the chat passes axe in ${colorScheme} at ${viewport.width}px`, async ({ browser, request }) => {
      const [ada, grace] = [unique("axa"), unique("axg")];
      await activeAccount(request, ada);
      await activeAccount(request, grace);
      const context = await browser.newContext({ colorScheme, viewport });
      const page = await context.newPage();
      await logIn(page, ada);
      await page.goto("/chat");
      await hydrated(page);
      await expect(page.locator(".chat__status")).toHaveText("Live");
      await page.locator("#composer-text").fill(`Hello @${grace}, see https://example.com`);
      await page.locator("#composer-text").press("Enter");
      await expect(page.locator(".message__text").last()).toContainText("Hello");
      await expectAccessible(page, label);
      await page.getByText("New conversation").click();
      await page.getByLabel("People").fill(grace);
      await page.getByRole("button", { name: "Start conversation" }).click();
      await expect(page.locator("#chat-room-title")).toHaveText(grace);
      await page.getByText("Delete conversation").first().click();
      await expectAccessible(page, `${label}, a conversation`);
      // Its chat socket would stay open through the rest of the run.
      await context.close();
    });
  }
}
