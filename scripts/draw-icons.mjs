// Draws the app and tray icons into assets/ (run once; the PNGs are committed):
// a blue rounded square with a white "run" triangle; the macOS tray template is the
// triangle alone in black, as macOS tints template images itself.
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

const inRoundedSquare = (x, y, r) => {
  const cx = Math.min(Math.max(x, r), 1 - r);
  const cy = Math.min(Math.max(y, r), 1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
};
// A right-pointing triangle, slightly right of centre so it looks centred.
const inTriangle = (x, y) => x >= 0.36 && x <= 0.74 && Math.abs(y - 0.5) <= (0.74 - x) * 0.62;

function draw(size, file, template) {
  const png = new PNG({ width: size, height: size });
  const n = 4; // 4×4 supersampling for smooth edges
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let bg = 0;
      let fg = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) / size;
          const y = (py + (sy + 0.5) / n) / size;
          if (inRoundedSquare(x, y, 0.22)) bg++;
          if (inTriangle(x, y)) fg++;
        }
      }
      const i = (py * size + px) * 4;
      const a = bg / (n * n);
      const f = fg / (n * n);
      if (template) {
        png.data.set([0, 0, 0, Math.round(255 * f)], i);
      } else {
        // Blue #2457c5 under a white triangle.
        png.data.set([Math.round(0x24 + (255 - 0x24) * f), Math.round(0x57 + (255 - 0x57) * f), Math.round(0xc5 + (255 - 0xc5) * f), Math.round(255 * a)], i);
      }
    }
  }
  writeFileSync(new URL(`../assets/${file}`, import.meta.url), PNG.sync.write(png));
}

draw(512, 'icon.png', false);
draw(16, 'tray.png', false);
draw(32, 'tray@2x.png', false);
draw(16, 'trayTemplate.png', true);
draw(32, 'trayTemplate@2x.png', true);
console.log('assets: icon.png, tray.png, tray@2x.png, trayTemplate.png, trayTemplate@2x.png');
