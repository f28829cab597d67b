import { useEffect, useState } from 'react';

/**
 * A QR code of `text` (the `otpauth://` enrolment URI), drawn in the browser as SVG and shown as
 * an image: the secret never leaves the page. `qrcode` is loaded only when a code is drawn, so
 * it stays out of the bundle every other page loads.
 */
export function QrCode({ text, label }: { text: string; label: string }) {
  const [svg, setSvg] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let current = true;
    import('./qr-svg.js')
      .then(({ qrSvg }) => qrSvg(text))
      .then(
        (s) => current && setSvg(s),
        () => current && setFailed(true),
      );
    return () => {
      current = false;
    };
  }, [text]);
  if (failed) return <p className="error">The QR code could not be drawn: type the secret below instead.</p>;
  if (svg === null) return <div className="qr qr-pending" aria-hidden="true" />;
  return <img className="qr" alt={label} data-testid="totp-qr" src={`data:image/svg+xml;base64,${btoa(svg)}`} />;
}
