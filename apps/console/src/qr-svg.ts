import QRCode from 'qrcode';
import { QR_OPTIONS } from './qr-options.js';

/** The QR code of `text` as an SVG document. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, QR_OPTIONS);
}
