import { appendAudit, type Actor } from '../../audit/audit-chain.js';
import { checkBrand } from '../../branding/brand-checks.js';
import type { Clock } from '../../clock.js';
import { TesseraError } from '../../errors.js';
import type { OAuthStore } from '../oauth-store.js';
import type { WorkspaceBranding } from './branding-repos.js';

/** A change of brand: each field given (null clears it) replaces the current one; the rest stay. */
export type BrandingInput = Partial<Pick<WorkspaceBranding, 'name' | 'logoUrl' | 'color'>>;

/**
 * The brand a workspace's hosted pages show — sign-in, second factor, consent, the device pages and
 * the account page: a name, a logo and an accent colour, each optional. The colour is checked as a
 * hex colour and the logo as an `https:` URL before either can reach a page; changes are audited.
 */
export class WorkspaceBrandings {
  constructor(private readonly deps: { store: OAuthStore; clock: Clock }) {}

  /** The workspace's brand; every field null when it has none. */
  async get(workspaceId: string): Promise<WorkspaceBranding> {
    return (await this.deps.store.getBranding(workspaceId)) ?? { workspaceId, name: null, logoUrl: null, color: null, updatedAt: 0 };
  }

  async update(actor: Actor, input: BrandingInput): Promise<WorkspaceBranding> {
    if (actor.workspaceId === null) throw new TesseraError('FORBIDDEN', 'This actor has no workspace.');
    const current = await this.get(actor.workspaceId);
    const given = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as BrandingInput;
    const next: WorkspaceBranding = { ...current, ...given, updatedAt: this.deps.clock.now() };
    checkBrand(next, { name: 'name', color: 'color', logoUrl: 'logoUrl' });
    await this.deps.store.transaction(async (tx) => {
      await tx.saveBranding(next);
      await appendAudit(tx, this.deps.clock, actor, {
        action: 'workspace.branding_updated',
        target: next.workspaceId,
        details: { name: next.name, logoUrl: next.logoUrl, color: next.color },
      });
    });
    return next;
  }
}
