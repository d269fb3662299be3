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

// In page: layout problems of the drawn canns figures under `root` (a CSS
// selector): a figure wider than its output area, a title wider than its
// figure, an animation slider over the
// x-axis title, Play/Pause buttons over the slider labels.
export function layoutProblems(root) {
  const problems = [];
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const overlap = (a, b) => a && b && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  for (const f of document.querySelectorAll(`${root} .canns-figure`)) {
    const svg = f.querySelector("svg.main-svg");
    if (!svg || !visible(svg)) continue;
    const area = (f.closest(".jp-OutputArea-output") || f.parentElement).getBoundingClientRect();
    const r = svg.getBoundingClientRect();
    if (r.right > area.right + 1) problems.push(`a figure is ${Math.round(r.width)} px wide in a ${Math.round(area.width)} px output area`);
    for (const t of f.querySelectorAll(".g-gtitle text, text.gtitle")) {
      const b = t.getBoundingClientRect();
      if (b.width > 0 && (b.left < r.left - 1 || b.right > r.right + 1)) problems.push(`the title "${t.textContent.slice(0, 40)}" is clipped (${Math.round(b.width)} px in a ${Math.round(r.width)} px figure)`);
    }
    const rail = f.querySelector(".slider-container .slider-rail-rect");
    if (!rail || !visible(rail)) continue;
    const slider = [rail, ...f.querySelectorAll(".slider-container .slider-label, .slider-container .slider-current-value")]
      .map((e) => e.getBoundingClientRect()).filter((b) => b.width > 0);
    const title = [...f.querySelectorAll(".g-xtitle text, text.xtitle")].map((e) => e.getBoundingClientRect()).filter((b) => b.width > 0);
    if (slider.some((s) => title.some((t) => overlap(s, t)))) problems.push("an animation slider overlaps the x-axis title");
    const buttons = [...f.querySelectorAll(".updatemenu-container .updatemenu-button")].map((e) => e.getBoundingClientRect()).filter((b) => b.width > 0);
    if (slider.some((s) => buttons.some((b) => overlap(s, b)))) problems.push("the Play/Pause buttons overlap the slider");
  }
  return problems;
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
  report.problems = await page.evaluate(layoutProblems, "body");
  report.ok = report.plots > 0 && report.drawn === report.plots && report.errors.length === 0 && report.problems.length === 0;
  if (report.plots > 0) {
    const shot = file.replace(/\.html$/, ".first-plot.png");
    await page.locator(".plotly-graph-div").first().screenshot({ path: shot });
  }
  await page.close();
  return report;
}
