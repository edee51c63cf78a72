/**
 * Text documents as PDF (agreements, account statements) with pdfkit and an embedded DejaVu Sans
 * subset, so any borrower name renders (Latin, Cyrillic, Greek, ...). A4, automatic page breaks,
 * simple tables with right-aligned money columns.
 *
 * Deterministic: the same blocks and `date` give the same bytes (CreationDate, ModDate and the file ID
 * are derived from `date`, never from the clock), so an agreement's sha256 (its documentHash, which the
 * borrower signs) is a function of its content.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import PDFDocument from 'pdfkit';

/** A paragraph (wraps at the margin). */
export interface PdfText {
  text: string;
  size?: number;
  bold?: boolean;
}

export interface PdfColumn {
  header: string;
  /** Share of the line width (all columns' weights are scaled to fill it). */
  weight: number;
  align?: 'left' | 'right';
}

export interface PdfTable {
  columns: PdfColumn[];
  rows: string[][];
}

export type PdfBlock = PdfText | { table: PdfTable } | { space: number };

export interface PdfSpec {
  title: string;
  subject?: string;
  /** `YYYY-MM-DD`: the document's date (CreationDate/ModDate, and so its file ID). */
  date: string;
  blocks: PdfBlock[];
}

const FONT_DIR = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
let fonts: { regular: Buffer; bold: Buffer } | undefined;

/** DejaVu Sans (regular and bold), read once; embedded as subsets of the glyphs a document uses. */
function dejaVu(): { regular: Buffer; bold: Buffer } {
  fonts ??= { regular: readFileSync(join(FONT_DIR, 'DejaVuSans.ttf')), bold: readFileSync(join(FONT_DIR, 'DejaVuSans-Bold.ttf')) };
  return fonts;
}

const MARGIN = 50;
const BODY_SIZE = 10;
const TABLE_SIZE = 8.5;

function renderTable(doc: PDFKit.PDFDocument, table: PdfTable): void {
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const total = table.columns.reduce((a, c) => a + c.weight, 0);
  const widths = table.columns.map((c) => (c.weight / total) * width);
  const gap = 4;
  const row = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'bold' : 'regular').fontSize(TABLE_SIZE);
    const heights = cells.map((cell, i) => doc.heightOfString(cell, { width: widths[i] - gap }));
    const height = Math.max(doc.currentLineHeight(true), ...heights);
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      if (!bold) row(table.columns.map((c) => c.header), true);
    }
    const y = doc.y;
    let x = left;
    cells.forEach((cell, i) => {
      doc.text(cell, x, y, { width: widths[i] - gap, align: table.columns[i].align ?? 'left', lineBreak: true });
      x += widths[i];
    });
    doc.x = left;
    doc.y = y + height + 2;
  };
  row(table.columns.map((c) => c.header), true);
  for (const cells of table.rows) row(cells, false);
  doc.moveDown(0.5);
}

export function renderPdf(spec: PdfSpec): Promise<Buffer> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(spec.date)) throw new Error(`renderPdf: date must be YYYY-MM-DD, got ${spec.date}`);
  const date = new Date(`${spec.date}T00:00:00.000Z`);
  const { regular, bold } = dejaVu();
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    pdfVersion: '1.7',
    // The default font would load Helvetica; the document uses only the embedded DejaVu subsets.
    font: join(FONT_DIR, 'DejaVuSans.ttf'),
    info: { Title: spec.title, ...(spec.subject ? { Subject: spec.subject } : {}), Producer: 'loan-platform (pdfkit)', Creator: 'loan-platform', CreationDate: date, ModDate: date },
    displayTitle: true,
    lang: 'en',
  });
  doc.registerFont('regular', regular);
  doc.registerFont('bold', bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const block of spec.blocks) {
    if ('table' in block) renderTable(doc, block.table);
    else if ('space' in block) doc.moveDown(block.space);
    else doc.font(block.bold ? 'bold' : 'regular').fontSize(block.size ?? BODY_SIZE).text(block.text, { lineGap: 2 });
  }
  doc.end();
  return done;
}
