#!/usr/bin/env node
// Prints the text of a PDF (read from stdin) as JSON {text, pages}, with pdf-parse (pdf.js). A separate
// process because pdf.js is an ES module that loads its worker by dynamic import, which jest's CommonJS
// sandbox refuses.
import { Buffer } from 'node:buffer';
import process from 'node:process';
import { PDFParse } from 'pdf-parse';

const chunks = [];
for await (const c of process.stdin) chunks.push(c);
const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
try {
  const result = await parser.getText();
  process.stdout.write(JSON.stringify({ text: result.text, pages: result.total }));
} finally {
  await parser.destroy();
}
