import { defineConfig, devices } from "@playwright/test";

// Runs against the release build made by `make test` (target/release/server and
// target/site), on a fresh SQLite database under end2end/.data, in Debian's Chromium.
const port = Number(process.env.E2E_PORT ?? 3210);
const baseURL = `http://127.0.0.1:${port}`;
export const serverBin = process.env.E2E_SERVER_BIN ?? "../target/release/server";

/** The test server's configuration; tests reuse it to run `server promote-admin`. */
export const serverEnv = {
  APP_ENV: "development",
  LISTEN_ADDR: `127.0.0.1:${port}`,
  PUBLIC_URL: baseURL,
  DATA_DIR: ".data",
  DATABASE_URL: "sqlite://.data/e2e.db?mode=rwc",
  LEPTOS_SITE_ROOT: "../target/site",
  RUST_LOG: "warn",
  // Every test signs in from 127.0.0.1; the per-IP limit has its own integration test.
  AUTH_RATE_LIMIT_PER_MINUTE: "10000",
  MAIL_POLL_SECS: "1",
};

export default defineConfig({
  testDir: "./tests",
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"] } }],
  webServer: {
    command: `rm -rf .data && exec "${serverBin}"`,
    url: `${baseURL}/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    env: serverEnv,
  },
});
