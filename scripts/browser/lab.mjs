// Drives a running JupyterLab in headless Chromium the way a student does:
// opens notebooks (each in its own tab, so their kernels run at the same
// time), Run All Cells from the Run menu, and checks each notebook: every
// code cell ran, no error output, every figure drawn by plotly.js and no
// wider than its output area, every summary table visible, animation sliders
// clear of the axis title and of the Play/Pause buttons. Then, in the first
// notebook, re-runs its first figure cell, saves, exports to HTML from the
// File menu and checks that the export draws every figure offline.
//
// usage: node lab.mjs BASE_URL TOKEN OUT_DIR NOTEBOOK.ipynb [...]
//   (notebook paths relative to the Lab root; exports and screenshots go to OUT_DIR)
import path from "node:path";
import fs from "node:fs";
import { checkFigures, launch, layoutProblems } from "./common.mjs";

const [base, token, out, ...notebooks] = process.argv.slice(2);
const timeoutMs = Number(process.env.CANNS_LAB_TIMEOUT || 1800) * 1000;
const t0 = Date.now();
const log = (s) => console.log(`[${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${s}`);

const browser = await launch({ width: 1280, height: 1000 });
// Offline: only the Lab server on this machine answers.
const external = [];
await browser.route(/^https?:\/\//, (route) => {
  const u = new URL(route.request().url());
  if (u.hostname === "127.0.0.1" || u.hostname === "localhost") return route.continue();
  external.push(u.href);
  return route.abort();
});

// In page: the state of the notebook in the current tab.
function state() {
  const nb = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook");
  if (!nb) return null;
  const cells = [...nb.querySelectorAll(".jp-CodeCell")];
  const prompts = cells.map((c) => (c.querySelector(".jp-InputArea-prompt")?.textContent || "").trim());
  return {
    n: cells.length,
    ran: prompts.filter((p) => /^\[\d+\]:$/.test(p)).length,
    busy: prompts.filter((p) => p === "[*]:").length,
    status: document.querySelector(".jp-Notebook-ExecutionIndicator")?.getAttribute("data-status") || "",
  };
}

// In page: what the outputs of the notebook in the current tab show.
function outputs() {
  const nb = document.querySelector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook");
  const visible = (e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const errors = [...nb.querySelectorAll("[data-mime-type='application/vnd.jupyter.stderr']")]
    .map((e) => e.innerText).filter((t) => /error(\[E\d+\])?:|panicked|Traceback/.test(t));
  const tables = [...nb.querySelectorAll(".jp-OutputArea-output table.canns")];
  const figures = [...nb.querySelectorAll(".jp-OutputArea-output .canns-figure")];
  const drawn = figures.filter((f) => {
    const svg = f.querySelector("svg.main-svg");
    return svg && visible(svg) && f.querySelector(".plot *, .heatmaplayer *, .scatterlayer *, image");
  }).length;
  return {
    errors,
    tables: tables.length,
    tablesVisible: tables.filter(visible).length,
    figures: figures.length,
    drawn,
  };
}

async function waitIdle(page, name, what) {
  const start = Date.now();
  let last = "";
  for (;;) {
    const s = await page.evaluate(state);
    const line = s ? `${s.ran}/${s.n} cells ran, ${s.busy} running` : "loading";
    if (line !== last && s && s.busy === 0 && s.ran > 0) log(`${name}: ${line}`);
    last = line;
    if (s && s.busy === 0 && (what === "open" ? s.status === "idle" || s.status === "" : s.ran > 0)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`${name}: timed out (${line}) after ${what}`);
    await page.waitForTimeout(1000);
  }
}

// Opens a menu of the menu bar and clicks an item: "cmd:ID" names the item by
// its command, anything else by its label (submenus on the way are hovered).
async function menu(page, top, ...items) {
  await page.locator(".lm-MenuBar-item", { hasText: new RegExp(`^${top}$`) }).click();
  for (const [i, item] of items.entries()) {
    const entry = typeof item === "string" && item.startsWith("cmd:")
      ? page.locator(`.lm-Menu:visible .lm-Menu-item[data-command="${item.slice(4)}"]`).first()
      : page.locator(".lm-Menu:visible .lm-Menu-item", { hasText: item }).last();
    if (i < items.length - 1) await entry.hover(); else await entry.click();
  }
}

async function open(nbPath, workspace) {
  const page = await browser.newPage();
  page.on("pageerror", (e) => log(`${nbPath}: page error: ${String(e).slice(0, 200)}`));
  const url = `${base}/lab/workspaces/${workspace}/tree/${nbPath}?reset&token=${token}`;
  await page.goto(url, { waitUntil: "domcontentloaded", timeout: 120000 });
  await page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first().waitFor({ timeout: 120000 });
  // Kernel started and idle ("Rust" in the toolbar, status not busy/starting).
  await page.locator(".jp-NotebookPanel-toolbar", { hasText: "Rust" }).first().waitFor({ timeout: 120000 });
  await page.waitForTimeout(1000);
  return page;
}

async function runAll(page, name) {
  await menu(page, "Run", "cmd:runmenu:run-all");
  log(`${name}: Run All Cells`);
}

let failed = false;
const fail = (msg) => { failed = true; console.log(`FAIL ${msg}`); };

async function check(page, name) {
  await page.bringToFront();
  const s = await page.evaluate(state);
  const o = await page.evaluate(outputs);
  o.problems = await page.evaluate(layoutProblems, ".jp-NotebookPanel:not(.lm-mod-hidden)");
  const ok = s.ran === s.n && o.errors.length === 0 && o.drawn === o.figures && o.figures > 0
    && o.tablesVisible === o.tables && o.problems.length === 0;
  console.log(`${ok ? "ok  " : "FAIL"} ${name} in Lab: ${s.ran}/${s.n} cells ran, ${o.drawn}/${o.figures} figures drawn, `
    + `${o.tablesVisible}/${o.tables} tables visible, ${o.errors.length} error outputs`);
  for (const e of [...o.errors, ...o.problems]) console.log("     " + e.slice(0, 300));
  if (!ok) failed = true;
  await page.screenshot({ path: path.join(out, `lab-${name}.png`), timeout: 10000 }).catch((e) => log(`${name}: no screenshot (${String(e).split("\n")[0]})`));
  return o;
}

try {
  // Two notebooks at the same time: each tab starts its own kernel.
  const pages = [];
  for (const [i, nb] of notebooks.entries()) pages.push(await open(nb, `check${i}`));
  log(`opened ${notebooks.join(", ")}`);
  await Promise.all(pages.map((p, i) => runAll(p, notebooks[i])));
  await Promise.all(pages.map((p, i) => waitIdle(p, notebooks[i], "run")));
  // Let the last figures draw.
  await pages[0].waitForTimeout(2000);
  const results = [];
  for (const [i, p] of pages.entries()) results.push(await check(p, path.basename(notebooks[i], ".ipynb")));

  // Re-run the first figure cell (the one that would have carried plotly.js),
  // save, and export from the File menu.
  const page = pages[0];
  const name = path.basename(notebooks[0], ".ipynb");
  await page.bringToFront();
  const cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell");
  const index = await cells.evaluateAll((cs) => cs.findIndex((c) => c.querySelector(".canns-figure")));
  const cell = cells.nth(index);
  const prompt = cell.locator(".jp-InputArea-prompt");
  const before = (await prompt.textContent()).trim();
  await cell.locator(".jp-InputArea-editor").click();
  await page.keyboard.press("Control+Enter");
  const start = Date.now();
  for (;;) {
    const now = (await prompt.textContent()).trim();
    if (now !== before && /^\[\d+\]:$/.test(now) && await cell.locator(".canns-figure").count()) break;
    if (Date.now() - start > timeoutMs) throw new Error(`${name}: the re-run figure cell did not finish (${now})`);
    await page.waitForTimeout(500);
  }
  await page.waitForTimeout(1000);
  log(`${name}: re-ran its first figure cell (${before} -> ${(await prompt.textContent()).trim()})`);
  await page.keyboard.press("Escape");
  await page.keyboard.press("Control+s");
  await page.waitForTimeout(1500);
  // The export downloads the HTML (from this tab, or from a new one).
  const download = new Promise((resolve) => {
    page.once("download", resolve);
    browser.once("page", (p) => p.once("download", resolve));
  });
  await menu(page, "File", "Save and Export Notebook As", /^HTML$/);
  // JupyterLab asks whether to sanitize the export; sanitizing escapes every
  // script, style and SVG (figures and tables alike), so a notebook one trusts
  // is exported without.
  const dialog = page.locator(".jp-Dialog");
  await dialog.waitFor({ timeout: 10000 }).catch(() => {});
  if (await dialog.count()) {
    const box = dialog.locator("input[type=checkbox]");
    if (await box.count()) await box.uncheck();
    await dialog.locator(".jp-Dialog-button.jp-mod-accept").click();
  }
  const got = await Promise.race([download, page.waitForTimeout(120000).then(() => null)]);
  if (!got) throw new Error(`${name}: no download from File > Save and Export Notebook As > HTML`);
  const html = path.join(out, `lab-${name}.html`);
  await got.saveAs(html);
  log(`${name}: saved and exported to ${html} (${(fs.statSync(html).size / 1e6).toFixed(1)} MB)`);
  const exported = await checkFigures(browser, html);
  console.log(`${exported.ok ? "ok  " : "FAIL"} ${name} exported after a re-run: ${exported.drawn}/${exported.plots} figures drawn offline, `
    + `${exported.tables} tables, ${exported.errors.length} errors`);
  for (const e of [...exported.errors, ...exported.problems]) console.log("     " + e.slice(0, 300));
  if (!exported.ok || exported.plots !== results[0].figures) {
    if (exported.plots !== results[0].figures) console.log(`     the export has ${exported.plots} figures, Lab showed ${results[0].figures}`);
    failed = true;
  }
} catch (e) {
  fail(String(e.stack || e));
  for (const [i, p] of browser.pages().entries()) {
    await p.screenshot({ path: path.join(out, `lab-failure-${i}.png`) }).catch(() => {});
  }
}
if (external.length) console.log(`note: blocked ${external.length} external requests (offline), e.g. ${external[0]}`);
await browser.close();
process.exit(failed ? 1 : 0);
