// Pictures in the web client are decoded by the browser (app/src/web_files.rs), after the
// app has read their size from the header. This check has the console client attach a
// WebP (which the app's own decoders never showed on the web) and a PNG cut short after
// its header (its data ends early: the browser cannot decode it), then finds the WebP
// drawn on the page by its colours and checks the page is still in the room. Run from
// web-test.mjs on its joined page, so it costs no browser start of its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { drawPicture, findPicture } from './tools.mjs';

/** The WebP's ground, a colour nothing else on the screen has: how it is found. */
const GROUND = [24, 96, 40];

/**
 * Attaches the two pictures from `cli` and checks how `page` shows them. `state()` is the
 * page's state; `until`, `assert`, `log` are the web test's own helpers; `cleanups` gets
 * the temporary directory.
 */
export async function pictureCheck({ page, state, cli, until, assert, log, cleanups }) {
  const dir = await mkdtemp(join(tmpdir(), 'confab-web-pictures-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const cut = join(dir, 'cut-short.png');
  await writeFile(cut, (await drawPicture(page, [200, 30, 90])).subarray(0, 200));
  const webp = join(dir, 'sunset.webp');
  await writeFile(webp, await drawPicture(page, GROUND, 'image/webp'));
  const has = (name) => async () => (await state())?.session?.chats.some((c) => c.from === 'cli' && c.text === name);
  // One at a time: a member has one upload in flight at most.
  cli.child.stdin.write(`/attach ${cut}\n`);
  await until('the page to get the PNG cut short', has('cut-short.png'));
  cli.child.stdin.write(`/attach ${webp}\n`);
  await until('the page to get the WebP', has('sunset.webp'));
  const at = await until('the WebP drawn by the browser', () => findPicture(page, GROUND));
  log(`the browser drew the WebP (${at.n} pixels of its ground) and survived a PNG cut short`);
  assert((await state()).status === 'online', 'the page should still be in the room');
}
