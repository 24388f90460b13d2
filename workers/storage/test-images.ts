// Images the storage tests make on the spot, so no fixture files are needed.
import sharp from "sharp";

const solid = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: "#2a7" } });

export const pngImage = (width = 64, height = 48) => solid(width, height).png().toBuffer();
export const jpegImage = (width = 64, height = 48) => solid(width, height).jpeg().toBuffer();
export const webpImage = (width = 64, height = 48) => solid(width, height).webp().toBuffer();

/** A JPEG carrying a camera name and the GPS position of Seoul City Hall in its EXIF. */
export const jpegWithGps = () =>
  solid(64, 48)
    .jpeg()
    .withExif({
      IFD0: { Make: "EcoCam" },
      IFD3: {
        GPSLatitudeRef: "N",
        GPSLatitude: "37/1 33/1 59/1",
        GPSLongitudeRef: "E",
        GPSLongitude: "126/1 58/1 41/1",
      },
    })
    .toBuffer();

/**
 * An 80-megapixel PNG of one colour: a few hundred kilobytes on disk, 240 MB once decoded. The
 * generation streams, so making it does not hold the pixels either.
 */
export const hugePng = () => solid(10_000, 8_000).png({ compressionLevel: 9 }).toBuffer();

/** hasGpsTag says whether an EXIF block (as sharp's metadata() gives it) points at a GPS IFD. */
export function hasGpsTag(exif: Uint8Array | undefined): boolean {
  if (!exif) return false;
  // "Exif\0\0", then a TIFF header: byte order, 42, the offset of IFD0.
  const tiff = Buffer.from(exif).subarray(6);
  const little = tiff.toString("latin1", 0, 2) === "II";
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd0 = u32(4);
  const entries = u16(ifd0);
  for (let i = 0; i < entries; i++) {
    if (u16(ifd0 + 2 + i * 12) === 0x8825) return true;
  }
  return false;
}
