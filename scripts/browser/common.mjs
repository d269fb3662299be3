// Shared by check.mjs and lab.mjs: headless Chromium (Debian's, no download)
// and the offline check of an exported notebook.
import { chromium } from "playwright-core";
import path from "node:path";
import os from "node:os";
import fs from "node:fs";

// A fresh profile each time; no background traffic.
export async function launch(viewport = { width: 1200, height: 900 }) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), "canns-chromium-"));
  const context = await chromium.launchPersistentContext(userDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport,
  });
  const close = context.close.bind(context);
  context.close = async () => { await close(); fs.rmSync(userDir, { recursive: true, force: true }); };
  return context;
}

// Loads an exported notebook (HTML file) with every network request blocked
// and reports its figures: each plot container must hold an SVG drawn by
// plotly.js with non-zero size and some content; no cell may show an error.
// Saves a screenshot of the first figure next to the HTML.
export async function checkFigures(context, file) {
  const page = await context.newPage();
  await page.route(/^https?:\/\//, (route) => route.abort());
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
    if (/\berror\[E\d{4}\]/.test(text)) errors.push("a Rust compile error is shown");
    const tables = document.querySelectorAll("table.canns").length;
    return { plots: plots.length, drawn, errors, tables };
  });
  report.errors.push(...pageErrors);
  report.ok = report.plots > 0 && report.drawn === report.plots && report.errors.length === 0;
  if (report.plots > 0) {
    const shot = file.replace(/\.html$/, ".first-plot.png");
    await page.locator(".plotly-graph-div").first().screenshot({ path: shot });
  }
  await page.close();
  return report;
}
