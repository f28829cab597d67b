/** Tessera's release: `tessera --version`, the OpenAPI document, backups' headers. */
export const VERSION = '0.1.0';
