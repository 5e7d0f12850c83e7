// Checks a stratus report.html in headless Chromium, driven by Playwright:
// the dashboard draws its charts, hovering a chart reads out values (on
// every chart at once: the time axis is shared), clicking a legend entry
// hides its series, the activity filter filters (and, on a comparison, the
// variant filter), and the page logs no console error. Optionally saves a
// screenshot.
//
//   node tests/browser/check_report.mjs REPORT.html [--screenshot OUT.png] [--width 1400 --height 900]
//
// Chromium: $CHROMIUM, else /usr/bin/chromium. Prints one JSON line with
// what it saw; exits 1 on a failed check, 2 on bad usage.
import { chromium } from "playwright-core";
import path from "node:path";
import { pathToFileURL } from "node:url";

const args = process.argv.slice(2);
if (args.length < 1) {
  console.error("usage: check_report.mjs REPORT.html [--screenshot OUT.png] [--width W --height H]");
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const report = path.resolve(args[0]);
const shot = opt("--screenshot", null);
const width = parseInt(opt("--width", "1400"), 10);
const height = parseInt(opt("--height", "900"), 10);

const failures = [];
const check = (ok, what) => { if (!ok) failures.push(what); };
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu"],
});
const seen = {};
try {
  const page = await browser.newPage({ viewport: { width, height } });
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  page.on("pageerror", (e) => errors.push(String(e)));
  const requests = [];
  page.on("request", (r) => { if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url()); });
  await page.goto(pathToFileURL(report).href, { waitUntil: "load" });
  await page.waitForSelector(".uplot", { timeout: 15000 });
  seen.charts = await page.locator(".uplot").count();
  seen.lesson_charts = await page.locator(".panel.lesson").count();
  seen.first_chart = await page.locator(".panel").first().getAttribute("data-chart");
  check(seen.charts >= 2, `only ${seen.charts} charts drawn`);

  // Hover the middle of the first chart: its legend shows values, and so
  // does every other chart's (shared cursor).
  const over = page.locator(".panel").first().locator(".u-over");
  const box = await over.boundingBox();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
  await page.waitForTimeout(100);
  const values = async (panel) =>
    page.locator(".panel").nth(panel).locator(".u-legend .u-series td.u-value").allInnerTexts();
  const first = await values(0);
  const second = await values(1);
  seen.hover_time = first[0];
  seen.hover_values = first.slice(1);
  check(/^\+\d/.test(first[0] || ""), `hover shows no time (${first[0]})`);
  check(first.slice(1).some((v) => v !== "–" && v !== "" && v !== "--"), `hover shows no value: ${first.join(" | ")}`);
  // The other chart's cursor is at the same moment (its nearest datapoint:
  // within one metrics period).
  const secs = (t) => { const m = /^\+(\d+)(?::(\d+)|h(\d+))$/.exec(t || ""); if (!m) return NaN; return m[2] !== undefined ? +m[1] * 60 + +m[2] : (+m[1] * 60 + +m[3]) * 60; };
  seen.other_chart_time = second[0];
  const tol = (first[0] || "").includes("h") ? 3600 : 60;
  check(Math.abs(secs(second[0]) - secs(first[0])) <= tol, `the other chart's cursor is elsewhere (${second[0]} vs ${first[0]})`);

  // Clicking the first data series' legend entry hides it; again shows it.
  // (The pointer leaves the chart first: leaving resets the live legend's
  // values, which moves the entries under a pointer on its way.)
  await page.mouse.move(1, 1);
  await page.waitForTimeout(50);
  const entry = page.locator(".panel").first().locator(".u-legend .u-series").nth(1);
  seen.toggled = (await entry.innerText()).split("\n")[0].trim();
  await entry.click();
  const off = ((await entry.getAttribute("class")) || "").includes("u-off");
  check(off, "clicking a legend entry did not hide its series");
  await entry.click();
  const on = !((await entry.getAttribute("class")) || "").includes("u-off");
  check(on, "clicking it again did not show the series");

  // The activity filter.
  if (await page.locator("#act-filter").count()) {
    const total = await page.locator("#acts tr.act").count();
    await page.fill("#act-filter", "zzzz-no-such-activity");
    const shown = await page.locator("#acts tr.act:visible").count();
    check(total === 0 || shown === 0, `filter left ${shown} of ${total} rows`);
    await page.fill("#act-filter", "");
    seen.activities = total;
  }
  // A comparison's timeline filters by variant too.
  if (await page.locator("#act-variant").count()) {
    const opts = await page.locator("#act-variant option").allInnerTexts();
    seen.variants = opts.slice(1);
    const last = opts[opts.length - 1];
    await page.selectOption("#act-variant", last);
    const shown = await page.locator("#acts tr.act:visible").evaluateAll((rs) => rs.map((r) => r.getAttribute("data-variant")));
    seen.variant_rows = shown.length;
    check(shown.length > 0 && shown.every((v) => v === last), `the variant filter shows ${shown.length} rows, not only ${last}'s`);
    await page.selectOption("#act-variant", "");
  }
  // The first chart's series (a comparison: one per variant).
  seen.first_chart_series = (await page.locator(".panel").first().locator(".u-legend .u-series .u-label").allInnerTexts()).slice(1);
  await page.mouse.move(1, 1);
  check(errors.length === 0, `console errors: ${errors.join(" / ")}`);
  check(requests.length === 0, `network requests: ${requests.join(" ")}`);
  seen.console_errors = errors.length;
  if (shot) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: shot, fullPage: false });
    seen.screenshot = shot;
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ report, ok: failures.length === 0, failures, seen }));
process.exit(failures.length === 0 ? 0 : 1);
