import { defineConfig, devices } from "@playwright/test";

// `make bench`: measurements, not tests with time limits. See scripts/bench.
export default defineConfig({
  testDir: ".",
  testMatch: /.*\.bench\.ts/,
  timeout: 180_000,
  workers: 1,
  reporter: [["list"]],
  use: { baseURL: process.env.E2E_BASE_URL ?? "http://127.0.0.1:3020" },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        launchOptions: {
          executablePath: "/usr/bin/chromium",
          args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        },
      },
    },
  ],
});
