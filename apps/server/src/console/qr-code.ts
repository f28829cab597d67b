/**
 * A QR code (as SVG) of the enrolment URI. Not implemented yet: the console shows the
 * `otpauth://` URI and the base32 secret for entry by hand instead.
 */
export function qrSvg(_text: string): string | null {
  return null;
}
