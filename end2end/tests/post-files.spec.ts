// Covers and attachments through review in a real browser: a client adds a cover and an
// attachment and submits; an admin (without JavaScript) asks for a corrected file and a
// corrected paragraph; the author replaces the file, fixes the text and resubmits; the
// admin sees which file changed and approves; readers get the cover, the new file, and
// the cover's card as the link preview.
import { test, expect, type Page } from "@playwright/test";
import { activeAccount, expectAccessible, hydrated, logIn, openFromBlog, unique } from "./support";

const BODY = "Where we go first.\n\nThe route goes over the old bridge.\n\nWhat to bring.";

/// A JPEG drawn by the browser itself: no image files kept in the repository.
async function photo(page: Page, hue: number): Promise<Buffer> {
  const data = await page.evaluate((hue) => {
    const canvas = document.createElement("canvas");
    canvas.width = 1200;
    canvas.height = 800;
    const g = canvas.getContext("2d")!;
    const gradient = g.createLinearGradient(0, 0, 1200, 800);
    gradient.addColorStop(0, `hsl(${hue}, 70%, 55%)`);
    gradient.addColorStop(1, `hsl(${hue + 60}, 70%, 35%)`);
    g.fillStyle = gradient;
    g.fillRect(0, 0, 1200, 800);
    return canvas.toDataURL("image/jpeg", 0.85).split(",")[1];
  }, hue);
  return Buffer.from(data, "base64");
}

const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n`);

test("a client's cover and attachment go through review, the corrected file replaces the old one, and the cover is the social card", async ({ browser, request }) => {
  const [author, reviewer] = [unique("fc"), unique("fa")];
  await activeAccount(request, author);
  await activeAccount(request, reviewer, "admin");
  const title = `Trip ${unique("t")}`;

  // Without JavaScript, the attachment button saves the whole form with the file.
  const plainWriter = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await logIn(plainWriter, author, false);
  await plainWriter.goto("/blog/new");
  await plainWriter.getByLabel("Title", { exact: true }).fill(title);
  await plainWriter.getByLabel("Text", { exact: true }).fill(BODY);
  await plainWriter.getByLabel("Attach a file").setInputFiles({ name: "route.pdf", mimeType: "application/pdf", buffer: pdf("old route") });
  await plainWriter.getByRole("button", { name: "Attach file" }).click();
  await expect(plainWriter).toHaveURL(/\/edit\?saved=draft/);
  await expect(plainWriter.locator(".editor__attachments")).toContainText("route.pdf");
  await expect(plainWriter.getByLabel("Text", { exact: true })).toHaveValue(BODY);
  const editorPath = new URL(plainWriter.url()).pathname;

  // Hydrated, the cover uploads in place; a wrong file is refused with the reason.
  const writer = await (await browser.newContext()).newPage();
  await logIn(writer, author);
  await writer.goto(editorPath);
  await hydrated(writer);
  await writer.getByLabel("Choose a cover").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("not a picture") });
  await writer.getByRole("button", { name: "Upload cover" }).click();
  await expect(writer.locator("#post-file-errors")).toContainText("File is a text file; a cover must be a JPEG, PNG, WebP or GIF image");
  await writer.getByLabel("Choose a cover").setInputFiles({ name: "bridge.jpg", mimeType: "image/jpeg", buffer: await photo(writer, 200) });
  await writer.getByRole("button", { name: "Upload cover" }).click();
  await expect(writer.locator(".editor__cover figcaption")).toHaveText("bridge.jpg");
  await expect(writer.locator("#post-file-errors")).toBeEmpty();
  // An image dropped on the text box is uploaded and linked where it falls.
  const dropped = (await photo(writer, 120)).toString("base64");
  await writer.getByLabel("Text", { exact: true }).evaluate((area: HTMLTextAreaElement, data) => {
    area.focus();
    area.setSelectionRange(area.value.indexOf("What to bring."), area.value.indexOf("What to bring."));
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], "ford.jpg", { type: "image/jpeg" }));
    area.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }, dropped);
  await expect(writer.getByLabel("Text", { exact: true })).toHaveValue(/old bridge\.\n\n!\[ford\]\(\/files\/[0-9a-f]{64}\.jpg\)\n\nWhat to bring\./);
  await writer.getByLabel("Text", { exact: true }).fill(BODY);
  await expectAccessible(writer, "editor with files");
  await writer.getByRole("button", { name: "Submit for review" }).click();
  await expect(writer).toHaveURL(/\/review\/[0-9a-f-]+$/);
  // The review page is a document: the app loads it (and the writer's later steps wait for it).
  await expect(writer.locator(".review__byline")).toContainText("In review");
  const reviewPath = new URL(writer.url()).pathname;

  // The reviewer sees the cover and the file and points corrections at the file and a
  // paragraph, without JavaScript.
  const plain = await (await browser.newContext({ javaScriptEnabled: false })).newPage();
  await logIn(plain, reviewer, false);
  await plain.goto(reviewPath);
  await expect(plain.locator(".review__revision .post__cover img")).toBeVisible();
  await expect(plain.locator(".review__revision .post__attachments")).toContainText("route.pdf");
  await plain.getByLabel("Part").selectOption("attachment");
  await plain.getByLabel("Attached file").selectOption({ label: "route.pdf" });
  await plain.getByLabel("What should change").fill("The route changed: attach the new map.");
  await plain.getByRole("button", { name: "Add correction" }).click();
  await expect(plain.locator(".review-item").first()).toContainText("route.pdf");
  await plain.getByLabel("Part").selectOption("body");
  await plain.getByLabel("Quoted passage").fill("The route goes over the old bridge.");
  await plain.getByLabel("What should change").fill("The bridge is closed.");
  await plain.getByRole("button", { name: "Add correction" }).click();
  await expect(plain.locator(".review-item")).toHaveCount(2);
  await plain.getByLabel("Summary for the author").fill("Two updates, then it can go out.");
  await plain.getByRole("button", { name: "Request changes" }).click();
  await expect(plain.locator("#current-title")).toHaveText("Changes requested");

  // The author replaces the file, fixes the paragraph, marks both fixed and resubmits.
  await writer.goto(editorPath);
  await hydrated(writer);
  const corrections = writer.locator(".editor__corrections");
  await expect(corrections).toContainText("The route changed: attach the new map.");
  await expect(corrections.locator(".review-item__file")).toHaveText("route.pdf");
  await writer.locator(".editor__attachments").getByRole("button", { name: "Remove route.pdf" }).click();
  await expect(writer.locator(".editor__attachments li")).toHaveCount(0);
  await writer.getByLabel("Attach a file").setInputFiles({ name: "route.pdf", mimeType: "application/pdf", buffer: pdf("new route") });
  await writer.getByRole("button", { name: "Attach file" }).click();
  await expect(writer.locator(".editor__attachments li")).toHaveCount(1);
  await writer.getByLabel("Text", { exact: true }).fill(BODY.replace("over the old bridge", "through the ford"));
  await writer.getByRole("button", { name: "Save", exact: true }).click();
  await expect(writer.getByRole("status").filter({ hasText: "Draft saved" })).toBeVisible();
  await hydrated(writer);
  for (let open = 2; open > 0; open--) {
    await writer.locator(".editor__corrections").getByRole("button", { name: "Mark fixed" }).first().click();
    await expect(writer.locator(".editor__corrections .badge--item-fixed")).toHaveCount(3 - open);
  }
  await writer.getByRole("button", { name: "Resubmit for review" }).click();
  await expect(writer).toHaveURL(new RegExp(`${reviewPath}$`));

  // The reviewer sees the replaced file and the changed paragraph, and approves.
  await plain.goto(reviewPath);
  const diff = plain.locator(".review__diff");
  await expect(diff).toContainText("Attachment");
  await expect(diff.locator(".diff__line--removed")).toContainText(["The route goes over the old bridge.", "route.pdf"]);
  await expect(diff.locator(".diff__line--added")).toContainText(["The route goes through the ford.", "route.pdf"]);
  await plain.getByRole("button", { name: "Approve" }).click();
  await expect(plain.locator("#current-title")).toHaveText("Approved");

  // Readers get the cover, the new file, and the cover's card when the post is shared.
  const reader = await openFromBlog(browser, title);
  const cover = reader.locator(".post__cover img");
  await expect(cover).toBeVisible();
  expect(await cover.getAttribute("srcset")).toMatch(/ 320w, .* 640w/);
  const card = await reader.locator('meta[property="og:image"]').getAttribute("content");
  expect(card).toMatch(/^http:\/\/.*\/files\/[0-9a-f]{64}\.(jpg|png|webp)$/);
  const cardImage = await reader.request.get(card!);
  expect(cardImage.headers()["content-type"]).toMatch(/^image\//);
  const link = reader.locator(".post__attachments a");
  await expect(link).toHaveText("route.pdf");
  const download = await reader.request.get((await link.getAttribute("href"))!);
  expect(download.headers()["content-disposition"]).toContain("attachment");
  expect((await download.body()).toString()).toContain("new route");
  await expectAccessible(reader, "post with cover and attachment");
});
