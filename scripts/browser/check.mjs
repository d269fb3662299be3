// Loads each exported notebook (HTML) offline in headless Chromium and checks
// that every plotly figure rendered (an SVG with non-zero size inside each
// plot container) and that no cell shows an error. Saves a screenshot of the
// first plot of each notebook next to its HTML.
//
// usage: node check.mjs NOTEBOOK.html [...]
import { chromium } from "playwright-core";
import path from "node:path";
import os from "node:os";
import fs from "node:fs";

const files = process.argv.slice(2);
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "canns-chromium-"));
const browser = await chromium.launchPersistentContext(userDir, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1200, height: 900 },
});
// Offline: any request that leaves the machine fails the check.
const external = [];
browser.route(/^https?:\/\//, (route) => { external.push(route.request().url()); route.abort(); });
let failed = false;
for (const file of files) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  await page.goto("file://" + path.resolve(file), { waitUntil: "load", timeout: 120000 });
  await page.waitForTimeout(1500);
  const report = await page.evaluate(() => {
    const plots = [...document.querySelectorAll(".plotly-graph-div")];
    const drawn = plots.filter((p) => {
      const svg = p.querySelector("svg.main-svg");
      if (!svg) return false;
      const r = svg.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && p.querySelectorAll(".plot *, .barlayer *, .heatmaplayer *, .scatterlayer *, .polarlayer .plot *, image, .gl-container canvas").length > 0;
    }).length;
    const text = document.body.innerText;
    const errors = [...document.querySelectorAll("[data-mime-type='application/vnd.jupyter.stderr']")]
      .map((e) => e.innerText).filter((t) => /error(\[E\d+\])?:|panicked|Traceback/.test(t));
    return { plots: plots.length, drawn, errors, evcxrError: /\berror\[E\d{4}\]/.test(text) };
  });
  const ok = report.plots > 0 && report.drawn === report.plots && report.errors.length === 0 && !report.evcxrError && pageErrors.length === 0;
  console.log(`${ok ? "ok  " : "FAIL"} ${path.basename(file)}: ${report.drawn}/${report.plots} plots drawn, ${report.errors.length} error outputs, ${pageErrors.length} page errors`);
  for (const e of [...report.errors, ...pageErrors]) console.log("     " + e.slice(0, 300));
  if (report.plots > 0) {
    const shot = file.replace(/\.html$/, ".first-plot.png");
    await page.locator(".plotly-graph-div").first().screenshot({ path: shot });
  }
  failed ||= !ok;
  await page.close();
}
if (external.length) console.log(`note: blocked ${external.length} external requests (offline), e.g. ${external[0]}`);
await browser.close();
process.exit(failed ? 1 : 0);
