/** Saving what the page computed: files through a temporary link, images as PNG. */
export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later, not at once: some browsers start the download after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function canvasToPng(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the canvas could not be encoded as PNG'))), 'image/png'));
}

/** An ImageData (e.g. the WebGPU raster read back) as a PNG. */
export function imageDataToPng(image: ImageData): Promise<Blob> {
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(new Error('this browser gives no 2D canvas to draw the PNG on'));
  ctx.putImageData(image, 0, 0);
  return canvasToPng(canvas);
}
