// Loads each exported notebook (HTML) offline in headless Chromium and checks
// that every plotly figure rendered (an SVG with non-zero size inside each
// plot container), no figure is wider than its output area or has animation
// controls over its axis title, and no cell shows an error. Saves a screenshot of the
// first plot of each notebook next to its HTML.
//
// usage: node check.mjs NOTEBOOK.html [...]
import path from "node:path";
import { checkFigures, launch } from "./common.mjs";

const browser = await launch();
let failed = false;
for (const file of process.argv.slice(2)) {
  const r = await checkFigures(browser, file);
  console.log(`${r.ok ? "ok  " : "FAIL"} ${path.basename(file)}: ${r.drawn}/${r.plots} plots drawn, ${r.errors.length} errors`);
  for (const e of [...r.errors, ...r.problems]) console.log("     " + e.slice(0, 300));
  failed ||= !r.ok;
}
await browser.close();
process.exit(failed ? 1 : 0);
