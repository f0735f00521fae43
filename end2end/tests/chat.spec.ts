// The chat in real browsers: two people (two browser contexts) live in a room and in a
// direct conversation, unread badges, editing within the window, a reply freezing the
// earlier message, surviving a server restart, and posting without JavaScript.
import { test, expect, Page, Browser, APIRequestContext, request as playwrightRequest } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { serverBin, serverEnv } from "../playwright.config";
import { activeAccount, hydrated, logIn, unique } from "./support";

async function person(browser: Browser, request: APIRequestContext, name: string) {
  await activeAccount(request, name);
  const page = await (await browser.newContext()).newPage();
  await logIn(page, name);
  return page;
}

/** Opens the chat (a room, or the first one) and waits for the live connection. */
async function openChat(page: Page, room?: string) {
  await page.goto(room ? `/chat?room=${room}` : "/chat");
  await hydrated(page);
  await expect(page.locator(".chat__status")).toHaveText("Live");
}

async function send(page: Page, text: string) {
  const composer = page.locator("#composer-text");
  await composer.fill(text);
  await composer.press("Enter");
  await expect(composer).toHaveValue("");
}

function message(page: Page, text: string) {
  return page.locator(".message").filter({ has: page.locator(".message__text", { hasText: text }) });
}

test("two people chat live in a room and in a direct conversation, with unread badges", async ({ browser, request }) => {
  const [ada, grace] = [unique("ada"), unique("grace")];
  const a = await person(browser, request, ada);
  const g = await person(browser, request, grace);
  await openChat(a);
  await openChat(g);
  await expect(a.getByRole("heading", { level: 1 })).toHaveText("Chat");
  await expect(a.locator("#chat-room-title")).toHaveText("#General");
  // Each sees the other online.
  await expect(a.locator(".chat__online")).toContainText(grace);
  await expect(g.locator(".chat__online")).toContainText(ada);

  // Live in the room, with Shift+Enter for a second line; typing is shown.
  const hello = `Hello from ${ada}, see https://example.com and @${grace}`;
  await a.locator("#composer-text").pressSequentially("x");
  await expect(g.locator(".chat__typing")).toHaveText(`${ada} is typing…`);
  await a.locator("#composer-text").fill("");
  await send(a, hello);
  const received = message(g, hello);
  await expect(received).toHaveCount(1);
  await expect(received.getByRole("link", { name: "https://example.com" })).toHaveAttribute("rel", /noopener/);
  await expect(received.locator(".mention--me")).toHaveText(`@${grace}`);
  await g.locator("#composer-text").fill("Two");
  await g.locator("#composer-text").press("Shift+Enter");
  await g.locator("#composer-text").pressSequentially("lines");
  await expect(g.locator("#composer-text")).toHaveValue("Two\nlines");
  await g.locator("#composer-text").press("Enter");
  await expect(message(a, "Two\nlines")).toHaveCount(1);
  // The newest message is announced to screen readers.
  await expect(a.locator('[aria-live="polite"]').last()).toHaveText(`${grace}: Two\nlines`);

  // Ada starts a direct conversation with Grace from the people picker.
  await a.getByText("New conversation").click();
  await a.getByLabel("People").pressSequentially(grace.slice(0, 4));
  await a.getByRole("button", { name: `${grace} (@${grace})` }).click();
  await expect(a.getByLabel("People")).toHaveValue(`${grace}, `);
  await a.getByRole("button", { name: "Start conversation" }).click();
  await expect(a).toHaveURL(/\/chat\?room=/);
  await expect(a.locator("#chat-room-title")).toHaveText(grace);
  await expect(a.locator(".chat__status")).toHaveText("Live");
  // It appears in Grace's list at once; a message there raises her unread badge.
  const conversations = g.getByRole("navigation", { name: "Conversations" });
  await expect(conversations.getByRole("link", { name: ada })).toBeVisible();
  await send(a, "Just between us");
  await expect(conversations.getByRole("link", { name: ada })).toContainText("1 unread message");
  await send(a, "Still there?");
  await expect(conversations.getByRole("link", { name: ada })).toContainText("2 unread messages");
  await conversations.getByRole("link", { name: ada }).click();
  await expect(g.locator("#chat-room-title")).toHaveText(ada);
  await expect(message(g, "Just between us")).toHaveCount(1);
  await expect(conversations.locator(".chat__unread")).toHaveCount(0);
  await send(g, "Yes!");
  await expect(message(a, "Yes!")).toHaveCount(1);
  // Back in the room, nothing was missed or doubled.
  await g.getByRole("navigation", { name: "Rooms" }).getByRole("link", { name: "General" }).click();
  await expect(message(g, hello)).toHaveCount(1);
});

test("a message can be edited until someone answers it, and deleted leaving a stub", async ({ browser, request }) => {
  const [ada, grace] = [unique("ada"), unique("grace")];
  const a = await person(browser, request, ada);
  const g = await person(browser, request, grace);
  await a.goto("/chat");
  await hydrated(a);
  const room = await createConversation(a, grace);
  await openChat(a, room);
  await openChat(g, room);
  const typo = `Meet at noom ${unique("t")}`;
  await send(a, typo);
  const mine = message(a, typo);
  await mine.hover();
  await mine.getByText("Edit", { exact: true }).click();
  await mine.getByLabel("Edit your message").fill(typo.replace("noom", "noon"));
  await mine.getByRole("button", { name: "Save" }).click();
  const fixed = typo.replace("noom", "noon");
  await expect(message(g, fixed)).toContainText("(edited)");
  await expect(message(a, fixed)).toContainText("(edited)");

  // A second message, deleted: a stub stays for both.
  await send(a, "Oops, wrong chat");
  const oops = message(a, "Oops, wrong chat");
  await oops.hover();
  await oops.getByText("Delete", { exact: true }).click();
  await oops.getByRole("button", { name: "Delete for everyone" }).click();
  await expect(g.locator(".message__stub")).toHaveText(["Message deleted"]);
  await expect(a.locator(".message__stub")).toHaveText(["Message deleted"]);

  // Grace answers: Ada's earlier message is frozen.
  await send(g, "See you then");
  await expect(message(a, "See you then")).toHaveCount(1);
  await expect(message(a, fixed).locator(".message__actions")).toHaveCount(0);
  // Grace could never change Ada's messages.
  await expect(message(g, fixed).locator(".message__actions")).toHaveCount(0);
});

/** Starts a direct conversation through the form; its id. */
async function createConversation(page: Page, other: string) {
  await page.getByText("New conversation").click();
  await page.getByLabel("People").fill(other);
  await page.getByRole("button", { name: "Start conversation" }).click();
  await expect(page).toHaveURL(/\/chat\?room=/);
  return new URL(page.url()).searchParams.get("room")!;
}

test.describe("against a server that restarts", () => {
  const port = Number(serverEnv.LISTEN_ADDR.split(":")[1]) + 1;
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    ...serverEnv,
    LISTEN_ADDR: `127.0.0.1:${port}`,
    PUBLIC_URL: base,
    DATABASE_URL: "sqlite://.data/restart.db?mode=rwc",
    DATA_DIR: ".data/restart",
  };
  let server: ChildProcess | undefined;

  async function start() {
    server = spawn(serverBin, [], { env, cwd: __dirname + "/..", stdio: "ignore" });
    for (let i = 0; i < 200; i++) {
      try {
        if ((await fetch(`${base}/health`)).ok) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error("the second server did not start");
  }

  async function stop() {
    if (!server) return;
    const exited = new Promise((r) => server!.once("exit", r));
    server.kill("SIGTERM");
    await exited;
    server = undefined;
  }

  test.afterAll(stop);

  test("the page survives a server restart and resumes without losing or doubling messages", async ({ browser }) => {
    await start();
    const api = await playwrightRequest.newContext({ baseURL: base });
    const [ada, grace] = [unique("ada"), unique("grace")];
    const pages: Page[] = [];
    for (const name of [ada, grace]) {
      await activeAccount(api, name);
      const page = await (await browser.newContext({ baseURL: base })).newPage();
      await logIn(page, name);
      await openChat(page);
      pages.push(page);
    }
    const [a, g] = pages;
    await send(a, "Before the restart");
    await expect(message(g, "Before the restart")).toHaveCount(1);

    await stop();
    await expect(a.locator(".chat__status")).toHaveText("Reconnecting…");
    await start();
    // Whoever is back first writes; the other resumes and gets it exactly once.
    await expect(g.locator(".chat__status")).toHaveText("Live", { timeout: 20_000 });
    await send(g, "After the restart");
    await expect(a.locator(".chat__status")).toHaveText("Live", { timeout: 20_000 });
    await expect(message(a, "After the restart")).toHaveCount(1);
    await expect(message(a, "Before the restart")).toHaveCount(1);
    await send(a, "And back again");
    await expect(message(g, "And back again")).toHaveCount(1);
    await api.dispose();
  });
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the chat shows the latest messages and posting works through the form", async ({ page, request }) => {
    const name = unique("nojs");
    await activeAccount(request, name);
    await logIn(page, name, false);
    await page.goto("/chat");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
    await expect(page.locator(".chat__status")).toBeHidden();
    const text = `Plain form post ${unique("p")}`;
    await page.getByLabel("Message #General").fill(text);
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page).toHaveURL(/\/chat/);
    await expect(message(page, text)).toHaveCount(1);
    // An empty message is refused with the rule.
    await page.getByLabel("Message #General").fill("   ");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.locator(".composer__errors")).toHaveText("The message is required.");
    // A conversation can be started too.
    const other = unique("peer");
    await activeAccount(request, other);
    await page.getByText("New conversation").click();
    await page.getByLabel("People").fill(other);
    await page.getByRole("button", { name: "Start conversation" }).click();
    await expect(page.locator("#chat-room-title")).toHaveText(other);
    await page.getByLabel(`Message ${other}`).fill("Hi without scripts");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(message(page, "Hi without scripts")).toHaveCount(1);
  });
});

test("signed-out visitors are invited to log in", async ({ page }) => {
  await page.goto("/chat");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Chat");
  await page.getByRole("link", { name: "Log in to chat" }).click();
  await expect(page).toHaveURL(/\/login\?next=\/chat$/);
});
