// A picture pasted into the web client (issue 12) reaches another member through the real
// relay. eframe hands egui only the text of a paste, so the app listens for `paste` itself
// (app/src/web_files.rs); this check makes a small PNG in the page, puts it in a
// `DataTransfer` as a `File` and dispatches a `ClipboardEvent('paste')` at the focused
// element, as Ctrl+V with a copied picture would. The console client in the same room must
// then get a chat carrying the picture (the relay sniffed it as a 48 x 32 PNG), and fetch
// exactly those bytes back with `/save`. Run from web-test.mjs on its joined page, so it
// costs no browser start of its own.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The picture's size, small enough for one chunk, with a shape the relay measures. */
const WIDTH = 48;
const HEIGHT = 32;

/**
 * Pastes a picture into `page` (joined as `me`) and checks that `cli` receives it.
 * `frames()` is what the cli printed as JSON so far; `until`, `assert`, `log` are the
 * web test's own helpers; `cleanups` gets the temporary directory.
 */
export async function pasteCheck({ page, me, cli, frames, until, assert, log, cleanups }) {
  const pasted = await page.evaluate(
    async ({ width, height }) => {
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#e07020';
      ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = '#2060e0';
      ctx.fillRect(8, 8, 16, 16);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const bytes = new Uint8Array(await blob.arrayBuffer());
      const data = new DataTransfer();
      data.items.add(new File([blob], 'image.png', { type: 'image/png' }));
      const target = document.activeElement ?? document.body;
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      return { size: bytes.length, base64: btoa(binary) };
    },
    { width: WIDTH, height: HEIGHT },
  );
  log(`pasted a ${WIDTH}x${HEIGHT} PNG of ${pasted.size} B`);
  const chat = await until('the cli to get the pasted picture', async () =>
    frames().find((f) => f.type === 'chat' && f.from === me && f.attachment),
  );
  const a = chat.attachment;
  log('cli got', JSON.stringify(a));
  assert(a.sniffed_mime === 'image/png', `sniffed as ${a.sniffed_mime}`);
  assert(a.width === WIDTH && a.height === HEIGHT, `measured ${a.width}x${a.height}`);
  assert(a.size === pasted.size, `${a.size} B arrived, ${pasted.size} B pasted`);

  // The bytes themselves, fetched back through the relay by the other member.
  const dir = await mkdtemp(join(tmpdir(), 'confab-web-paste-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'pasted.png');
  cli.child.stdin.write(`/save ${a.id} ${path}\n`);
  await cli.line('the pasted picture saved', (l) => l.includes('saved') && l.includes(path));
  const saved = await readFile(path);
  assert(saved.equals(Buffer.from(pasted.base64, 'base64')), 'the saved bytes are the pasted ones');
  log('the cli fetched the pasted picture back byte for byte');
}
