import { test, expect, Page, Browser } from "@playwright/test";
import { activeAccount, hydrated, logIn, unique } from "./support";

const BODY = [
  "## Why it matters",
  "",
  "Read [the Rust book](https://doc.rust-lang.org/book/) first.",
  "",
  "```rust",
  "fn main() {",
  '    println!("hello");',
  "}",
  "```",
  "",
  "| Change | Before | After |",
  "|---|---|---|",
  "| Cold start | 900 ms | 40 ms |",
].join("\n");

async function writerPage(browser: Browser, request: Parameters<typeof activeAccount>[0], name: string) {
  await activeAccount(request, name, "trainer");
  const page = await browser.newPage();
  await logIn(page, name);
  return page;
}

/** Writes and publishes a post in the editor; returns its address. */
async function publish(page: Page, title: string, tags = "e2e") {
  await page.goto("/blog/new");
  await hydrated(page);
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Tags", { exact: true }).fill(tags);
  await page.getByLabel("Text", { exact: true }).fill(BODY);
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page).toHaveURL(/\/blog\/[a-z0-9-]+$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  return new URL(page.url()).pathname;
}

test("a writer drafts with a live preview, publishes, and readers find the post everywhere", async ({ browser, request }) => {
  const author = unique("au");
  const page = await writerPage(browser, request, author);
  const word = unique("zebra");
  const title = `Markdown tour ${word}`;
  await page.goto("/blog/new");
  await hydrated(page);
  await page.getByLabel("Title", { exact: true }).fill(title);
  await page.getByLabel("Tags", { exact: true }).fill("E2E, rust");
  await expect(page.locator(".tags--preview .tag")).toHaveText(["#e2e", "#rust"]);
  await page.getByLabel("Text", { exact: true }).fill(BODY);
  // The preview is rendered by the server: heading anchor, highlighted code, table, safe link.
  const preview = page.locator(".editor__preview");
  await expect(preview.getByRole("heading", { name: "Why it matters" })).toBeVisible();
  await expect(preview.locator("pre.code span.hl-storage").first()).toBeVisible();
  await expect(preview.locator("table td").first()).toHaveText("Cold start");
  await expect(preview.getByRole("link", { name: "the Rust book" })).toHaveAttribute("rel", "nofollow ugc noopener");

  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page.getByText("Draft saved. Only you can see it.")).toBeVisible();
  await page.getByRole("button", { name: "Publish", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(title);
  const path = new URL(page.url()).pathname;
  await expect(page.locator("#post-body pre.code")).toBeVisible();
  await expect(page.getByText(/1 min read/)).toBeVisible();

  // Newest first under New, in the feed, and in search.
  await page.goto("/blog?sort=new");
  await expect(page.locator(".post-card__title").first()).toHaveText(title);
  const feed = await (await request.get("/blog/rss.xml")).text();
  expect(feed).toContain(`<title>${title}</title>`);
  await page.goto("/blog");
  await hydrated(page);
  await page.getByRole("searchbox", { name: "Search posts" }).fill(word);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`/blog/search\\?q=${word}`));
  await expect(page.locator(".search-result mark").first()).toHaveText(word);
  await page.locator(".search-result a").first().click();
  await expect(page).toHaveURL(new RegExp(`${path}$`));
});

test("a second reader likes, comments and replies, follows the author and sees the post under Following", async ({ browser, request }) => {
  const author = unique("au");
  const writer = await writerPage(browser, request, author);
  const title = `Follow me ${unique("t")}`;
  const path = await publish(writer, title);

  const reader = await writerPage(browser, request, unique("rd"));
  await reader.goto(path);
  await hydrated(reader);
  const like = reader.getByRole("button", { name: /Like/ });
  await like.click();
  await expect(reader.getByRole("button", { name: /Liked/ })).toHaveAttribute("aria-pressed", "true");
  await expect(reader.getByRole("button", { name: /Liked/ })).toContainText("1");

  await reader.getByLabel("Add a comment").fill("Great **tour**!");
  await reader.getByRole("button", { name: "Post comment" }).click();
  const comment = reader.locator(".comment").filter({ hasText: "Great tour!" });
  await expect(comment.locator("strong")).toHaveText("tour");
  await expect(reader.getByLabel("Add a comment")).toHaveValue("");
  await comment.locator(".comment__reply summary").click();
  await comment.getByLabel("Your reply").fill("And a follow-up.");
  await comment.locator(".comment__reply button[type=submit]").click();
  await expect(reader.locator(".comment--reply")).toContainText("And a follow-up.");
  await expect(reader.getByRole("heading", { name: "2 comments" })).toBeVisible();

  await reader.locator(".author-card").getByRole("button", { name: /Follow/ }).click();
  await expect(reader.locator(".author-card").getByRole("button", { name: /Following/ })).toBeVisible();
  await reader.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Blog" }).click();
  await reader.getByRole("navigation", { name: "Blog" }).getByRole("link", { name: "Following" }).click();
  await expect(reader).toHaveURL(/\/blog\/following$/);
  await expect(reader.locator(".post-card__title").first()).toHaveText(title);
});

test("renaming a post moves it, and the old address redirects to the new one", async ({ browser, request }) => {
  const writer = await writerPage(browser, request, unique("au"));
  const title = `Before ${unique("t")}`;
  const oldPath = await publish(writer, title);
  await writer.getByRole("link", { name: "Edit" }).click();
  await hydrated(writer);
  const renamed = title.replace("Before", "After");
  await writer.getByLabel("Title", { exact: true }).fill(renamed);
  await writer.getByRole("button", { name: "Update post" }).click();
  await expect(writer.getByRole("heading", { level: 1 })).toHaveText(renamed);
  const newPath = new URL(writer.url()).pathname;
  expect(newPath).not.toBe(oldPath);
  const response = await request.get(oldPath, { maxRedirects: 0 });
  expect(response.status()).toBe(301);
  await writer.goto(oldPath);
  await expect(writer).toHaveURL(new RegExp(`${newPath}$`));
});

test("the editor warns before unsaved changes are lost", async ({ browser, request }) => {
  const writer = await writerPage(browser, request, unique("au"));
  await writer.goto("/blog/new");
  await hydrated(writer);
  await writer.getByLabel("Text", { exact: true }).fill("Two words");
  await expect(writer.locator(".editor__count")).toHaveText("2 words · 9 characters");
  await writer.getByLabel("Title", { exact: true }).fill("Half a thought");
  let asked = "";
  writer.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.dismiss();
  });
  await writer.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Blog" }).click();
  await expect.poll(() => asked).toContain("unsaved changes");
  await expect(writer).toHaveURL(/\/blog\/new$/);
  await expect(writer.getByLabel("Title", { exact: true })).toHaveValue("Half a thought");
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("a reader reads the whole post, likes it and comments through plain forms", async ({ browser, request }) => {
    const jsWriter = await browser.newContext({ javaScriptEnabled: true });
    const author = unique("au");
    await activeAccount(request, author, "trainer");
    const writer = await jsWriter.newPage();
    await logIn(writer, author);
    const title = `Plain HTML ${unique("t")}`;
    const path = await publish(writer, title);

    const readerName = unique("rd");
    await activeAccount(request, readerName);
    const context = await browser.newContext({ javaScriptEnabled: false });
    const reader = await context.newPage();
    await reader.goto(path);
    await expect(reader.getByRole("heading", { level: 1 })).toHaveText(title);
    await expect(reader.locator("#post-body table")).toBeVisible();
    await expect(reader.getByRole("link", { name: /Log in/ }).first()).toBeVisible();
    await logIn(reader, readerName, false);
    await reader.goto(path);
    await reader.getByRole("button", { name: /Like/ }).click();
    await expect(reader).toHaveURL(new RegExp(`${path}`));
    await expect(reader.getByRole("button", { name: /Liked/ })).toContainText("1");
    await reader.getByLabel("Add a comment").fill("Works without scripts.");
    await reader.getByRole("button", { name: "Post comment" }).click();
    await expect(reader.locator(".comment")).toContainText("Works without scripts.");
    // A bad comment comes back with its rule named.
    await reader.getByLabel("Add a comment").fill("   ");
    await reader.getByRole("button", { name: "Post comment" }).click();
    await expect(reader.getByRole("alert")).toContainText("Your comment is required.");
  });

  test("the editor saves and refuses bad input without JavaScript, keeping what was typed", async ({ browser, request }) => {
    const name = unique("au");
    await activeAccount(request, name, "trainer");
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await logIn(page, name, false);
    await page.goto("/blog/new");
    await page.getByLabel("Tags", { exact: true }).fill("fine, not ok!");
    await page.getByLabel("Text", { exact: true }).fill("Kept text");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await expect(page.locator("#post-title-errors")).toContainText("Title is required");
    await expect(page.locator("#post-tags-errors")).toContainText("may contain only a-z, 0-9 and -");
    await expect(page.getByLabel("Text", { exact: true })).toHaveValue("Kept text");
    await page.getByLabel("Title", { exact: true }).fill("No script needed");
    await page.getByLabel("Tags", { exact: true }).fill("fine");
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    await expect(page).toHaveURL(/\/blog\/no-script-needed/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("No script needed");
  });
});
