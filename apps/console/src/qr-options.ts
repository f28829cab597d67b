import type { QRCodeToStringOptions } from 'qrcode';

/**
 * How the enrolment QR code is drawn: medium error correction (what authenticator apps scan
 * best at this size), the standard four-module quiet zone, black on white.
 * The end-to-end test draws the same URI with these options and expects the same SVG.
 */
export const QR_OPTIONS = {
  type: 'svg',
  errorCorrectionLevel: 'M',
  margin: 4,
  color: { dark: '#000000', light: '#ffffff' },
} as const satisfies QRCodeToStringOptions;
