/// <reference lib="dom" />
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';

/**
 * Reads the QR code an element shows, the way a gate camera would: a screenshot of the element,
 * decoded to pixels by the browser and read by jsQR. Null when no code can be read.
 */
export async function readQrCode(page: Page, selector: string): Promise<string | null> {
  const png = await page.locator(selector).screenshot();
  const { width, height, rgba } = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
    let binary = '';
    for (let i = 0; i < pixels.data.length; i += 0x8000) binary += String.fromCharCode(...Array.from(pixels.data.subarray(i, i + 0x8000)));
    return { width: pixels.width, height: pixels.height, rgba: btoa(binary) };
  }, png.toString('base64'));
  const data = new Uint8ClampedArray(Buffer.from(rgba, 'base64'));
  return jsQR(data, width, height)?.data ?? null;
}
