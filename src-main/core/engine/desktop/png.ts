import { PNG } from 'pngjs';

/** A nut.js screen image (BGR or RGB, 3 or 4 channels, rows of byteWidth bytes). */
export interface RawImage {
  width: number;
  height: number;
  data: Buffer;
  channels: number;
  byteWidth: number;
  /** 0: BGR (nut.js's default), 1: RGB. */
  colorMode: number;
}

/** Encodes a screen grab as an opaque RGBA PNG. */
export function imageToPng(image: RawImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  const [r, b] = image.colorMode === 0 ? [2, 0] : [0, 2];
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const src = y * image.byteWidth + x * image.channels;
      const dst = (y * image.width + x) * 4;
      png.data[dst] = image.data[src + r];
      png.data[dst + 1] = image.data[src + 1];
      png.data[dst + 2] = image.data[src + b];
      png.data[dst + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}
