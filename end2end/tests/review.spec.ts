// Editorial review in a real browser: a client's post goes through requested changes to
// approval. The reviewer works without JavaScript, the author with it.
import { test, expect } from "@playwright/test";
import { activeAccount, expectAccessible, hydrated, logIn, openFromBlog, unique } from "./support";

const BODY = "An opening paragraph that stays.\n\nA paragraph with a tpyo in it.\n\nA closing paragraph.";

test("a client submits, an admin requests corrections, the author fixes them and the approved post goes live", async ({ browser, request }) => {
  const [author, reviewer] = [unique("rc"), unique("ra")];
  await activeAccount(request, author);
  await activeAccount(request, reviewer, "admin");
  const title = `Reviewed ${unique("p")}`;

  // The author (a client) has no Publish button: they submit for review.
  const writer = await (await browser.newContext()).newPage();
  await logIn(writer, author);
  await writer.goto("/blog/new");
  await hydrated(writer);
  await expect(writer.getByRole("button", { name: "Publish", exact: true })).toHaveCount(0);
  await writer.getByLabel("Title", { exact: true }).fill(title);
  await writer.getByLabel("Text", { exact: true }).fill(BODY);
  await expect(writer.locator(".editor__count")).toContainText("15 words");
  await writer.getByRole("button", { name: "Submit for review" }).click();
  await expect(writer).toHaveURL(/\/review\/[0-9a-f-]+$/);
  await expect(writer.locator(".review__byline")).toContainText("In review");
  const reviewPath = new URL(writer.url()).pathname;

  // The reviewer finds it in the queue and asks for a correction, all without JavaScript.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await logIn(plain, reviewer, false);
  await plain.goto("/review");
  await expect(plain.locator(".review-counts")).toContainText("waiting for review");
  await plain.getByRole("link", { name: title }).click();
  await expect(plain).toHaveURL(new RegExp(`${reviewPath}$`));
  // A quote that is not in the text is refused with the field named.
  await plain.getByLabel("Part").selectOption("body");
  await plain.getByLabel("Quoted passage").fill("words that are not there");
  await plain.getByLabel("What should change").fill("Spelling.");
  await plain.getByRole("button", { name: "Add correction" }).click();
  await expect(plain.locator(".review__add-item")).toContainText("Quoted passage is not in the submitted text");
  await plain.getByLabel("Part").selectOption("body");
  await plain.getByLabel("Quoted passage").fill("A paragraph with a tpyo in it.");
  await plain.getByLabel("What should change").fill("Spelling: typo.");
  await plain.getByRole("button", { name: "Add correction" }).click();
  await expect(plain.locator(".review-item")).toContainText("Spelling: typo.");
  await plain.getByLabel("Summary for the author").fill("One small fix, then it can go out.");
  await plain.getByRole("button", { name: "Request changes" }).click();
  await expect(plain.locator("#current-title")).toHaveText("Changes requested");

  // The author sees the correction beside the editor, fixes the text, marks it fixed
  // and resubmits.
  await writer.goto(reviewPath);
  await writer.getByRole("link", { name: "Open in the editor" }).click();
  // The review page is a document (live without wasm): wait for the editor itself.
  await expect(writer).toHaveURL(/\/edit$/);
  await hydrated(writer);
  const corrections = writer.locator(".editor__corrections");
  await expect(corrections).toContainText("Spelling: typo.");
  await expect(corrections.locator(".review-item__quote")).toHaveText("A paragraph with a tpyo in it.");
  await expectAccessible(writer, "editor with corrections");
  await writer.getByLabel("Text", { exact: true }).fill(BODY.replace("tpyo", "typo"));
  await writer.getByRole("button", { name: "Save", exact: true }).click();
  await expect(writer.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
  await hydrated(writer);
  await writer.locator(".editor__corrections").getByRole("button", { name: "Mark fixed" }).click();
  await expect(writer.locator(".editor__corrections .badge--item-fixed")).toHaveText("Fixed");
  await writer.getByRole("button", { name: "Resubmit for review" }).click();
  await expect(writer).toHaveURL(new RegExp(`${reviewPath}$`));
  await expect(writer.locator(".review__byline")).toContainText("In review");

  // The reviewer sees what changed and approves; the pages pass axe.
  const live = await (await browser.newContext()).newPage();
  await logIn(live, reviewer);
  await live.goto("/review");
  await hydrated(live);
  await expectAccessible(live, "review queue");
  await live.goto(reviewPath);
  await expect(live.locator(".review__diff")).toBeVisible();
  await expectAccessible(live, "review page with a diff");
  await plain.goto(reviewPath);
  const diff = plain.locator(".review__diff");
  await expect(diff.locator(".diff__line--removed")).toContainText("A paragraph with a tpyo in it.");
  await expect(diff.locator(".diff__line--added")).toContainText("A paragraph with a typo in it.");
  await expect(plain.locator(".review__history")).toContainText("Fixed");
  await plain.getByRole("button", { name: "Approve" }).click();
  await expect(plain.locator("#current-title")).toHaveText("Approved");

  // Readers get the corrected text.
  const reader = await openFromBlog(browser, title);
  await expect(reader.locator("#post-body")).toContainText("A paragraph with a typo in it.");
});
