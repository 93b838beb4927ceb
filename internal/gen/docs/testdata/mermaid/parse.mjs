// Parses the ```mermaid blocks of the Markdown files given as arguments with
// Mermaid's own parser. Mermaid sanitises labels with DOMPurify, which needs
// a DOM, so a jsdom window stands in for the browser.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
globalThis.window = window;
globalThis.document = window.document;
const { default: mermaid } = await import('mermaid');

let failed = false;
for (const file of process.argv.slice(2)) {
  const blocks = [...readFileSync(file, 'utf8').matchAll(/^```mermaid\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
  if (blocks.length === 0) {
    console.error(`${file}: no mermaid block`);
    failed = true;
  }
  for (const [i, src] of blocks.entries()) {
    try {
      const { diagramType } = await mermaid.parse(src);
      console.log(`${file}: block ${i + 1}: ${diagramType}`);
    } catch (e) {
      console.error(`${file}: block ${i + 1}: ${e.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
