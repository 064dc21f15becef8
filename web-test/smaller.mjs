// A picture over the relay's file limit (an ordinary phone photo is over 4 MiB), pasted
// into the page, is refused in an error card that offers "Send a smaller copy" (issue 28).
// Clicking it has the browser decode the picture (createImageBitmap) and encode it again
// as a JPEG on an offscreen canvas, smaller until it fits (app/src/platform/web/files.rs):
// the console client in the same room must get that copy, named after the picture, under
// the limit and with the picture's shape. Run from web-test.mjs on its joined page.
import { findPicture } from './tools.mjs';

/** The relay's default file limit (server/src/config.rs, MAX_FILE_BYTES). */
const LIMIT = 4 * 1024 * 1024;
/** The picture's size: noise, so its PNG (about 15 MB) is far over the limit. */
const WIDTH = 2400;
const HEIGHT = 1800;
/** The error colour of each theme (app/src/ui/palette.rs): red 700 light, red 400 dark. */
const ERROR = { light: [0xb9, 0x1c, 0x1c], dark: [0xf8, 0x71, 0x71] };

/**
 * Pastes the big picture into `page` (joined as `me`), clicks the offer and checks what
 * `cli` receives. `frames()` is what the cli printed as JSON so far; `until`, `assert`,
 * `log` are the web test's own helpers.
 */
export async function smallerCheck({ page, me, frames, until, assert, log }) {
  const size = await page.evaluate(
    async ({ width, height }) => {
      const canvas = new OffscreenCanvas(width, height);
      const ctx = canvas.getContext('2d');
      const image = ctx.createImageData(width, height);
      let seed = 0x2545f491;
      for (let i = 0; i < image.data.length; i += 4) {
        seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
        image.data[i] = seed & 255;
        image.data[i + 1] = (seed >>> 8) & 255;
        image.data[i + 2] = (seed >>> 16) & 255;
        image.data[i + 3] = 255;
      }
      ctx.putImageData(image, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/png' });
      const data = new DataTransfer();
      data.items.add(new File([blob], 'holiday.png', { type: 'image/png' }));
      const target = document.activeElement ?? document.body;
      target.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      return blob.size;
    },
    { width: WIDTH, height: HEIGHT },
  );
  log(`pasted a ${WIDTH}x${HEIGHT} PNG of ${size} B (the limit is ${LIMIT} B)`);
  assert(size > LIMIT, 'the picture is over the limit');
  const card = await until('the error card offering a smaller copy', async () =>
    (await findPicture(page, ERROR.light)) ?? (await findPicture(page, ERROR.dark)),
  );
  // The button sits at the bottom of the card, centred: its outline is the card's bottom
  // edge, less the card's margin (6) and half the button (about 10).
  const at = { x: card.x, y: card.y1 - 16 };
  log(`error card at ${JSON.stringify(card)}: clicking ${JSON.stringify(at)}`);
  await page.mouse.click(at.x, at.y);
  const chat = await until(
    'the cli to get the smaller copy',
    async () => frames().find((f) => f.type === 'chat' && f.from === me && f.attachment?.name === 'holiday.jpg'),
    60_000,
  );
  const a = chat.attachment;
  log('cli got', JSON.stringify(a));
  assert(a.sniffed_mime === 'image/jpeg', `sniffed as ${a.sniffed_mime}`);
  assert(a.size <= LIMIT, `${a.size} B is under the limit`);
  // Chromium's JPEG of this noise fits at full size (2.9 MB); where it did not, the copy
  // would be scaled down in steps (the same steps as the desktop's, tested there).
  assert(a.width <= WIDTH && a.width >= 320, `not larger, not to nothing: ${a.width}`);
  assert(Math.abs(a.width / a.height - WIDTH / HEIGHT) < 0.01, `its shape kept: ${a.width}x${a.height}`);
}
