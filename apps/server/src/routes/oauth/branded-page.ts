import type { WorkspaceBranding } from '@tessera/core';
import type { FastifyReply } from 'fastify';
import { escape, sendPage } from './hosted-pages.js';

/** Sends a hosted page in the workspace's brand; its CSP allows the logo's origin for images. */
export function sendBranded(
  reply: FastifyReply,
  status: number,
  html: string,
  brand: WorkspaceBranding | undefined,
  redirectUri?: string,
): FastifyReply {
  return sendPage(reply, status, brandedPage(html, brand), redirectUri, logoSource(brand));
}

/**
 * A workspace's brand on a hosted page: its logo and name above the heading, and its colour on
 * buttons and links. Text on the colour is dark or white, whichever reads (WCAG relative luminance),
 * so a light brand colour does not make the buttons unreadable. Only values checked when the brand
 * was saved reach the page: a hex colour, an `https:` logo URL, an escaped name.
 */
export function brandedPage(html: string, brand: WorkspaceBranding | undefined): string {
  if (brand === undefined || (brand.name === null && brand.logoUrl === null && brand.color === null)) return html;
  const logo = brand.logoUrl === null ? '' : `<img class="brand-logo" src="${escape(brand.logoUrl)}" alt="">`;
  const name = brand.name === null ? '' : `<p class="brand-name">${escape(brand.name)}</p>`;
  const header = logo === '' && name === '' ? '' : `<header class="brand">${logo}${name}</header>`;
  return html.replace('</head>', `<style>${brandStyle(brand.color)}</style></head>`).replace('<main>', `<main>${header}`);
}

/** The CSP source the page's logo needs: its origin. */
function logoSource(brand: WorkspaceBranding | undefined): string | undefined {
  return brand?.logoUrl == null ? undefined : new URL(brand.logoUrl).origin;
}

function brandStyle(color: string | null): string {
  const frame = `.brand{display:flex;align-items:center;gap:.6rem;margin:0 0 1rem}.brand-logo{max-height:2.5rem;max-width:10rem}.brand-name{margin:0;font-weight:600}`;
  if (color === null) return frame;
  const light = luminance(color) > 0.4;
  const text = light ? '#111111' : '#ffffff';
  const accent = light ? '#1d1f23' : color;
  return `${frame}button{background:${color};border-color:${color};color:${text}}button.secondary{background:#fff;color:${accent}}${light ? '' : `a{color:${color}}`}`;
}

/** WCAG 2.1 relative luminance of `#rgb` or `#rrggbb`. */
function luminance(hex: string): number {
  const h = hex.length === 4 ? [...hex.slice(1)].map((c) => c + c).join('') : hex.slice(1);
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = parseInt(h.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
