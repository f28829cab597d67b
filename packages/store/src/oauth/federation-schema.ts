/** The tables of sign-in with an upstream OpenID Provider (migration 0032), in the conventions of `schema.ts`. */
export interface FederationDatabase {
  oauth_upstream_providers: {
    id: string;
    workspace_id: string;
    name: string;
    issuer: string;
    client_id: string;
    client_secret_ciphertext: string;
    scopes: string;
    claim_mapping: string;
    created_at: number;
    updated_at: number;
  };
  end_user_upstream_links: {
    provider_id: string;
    subject: string;
    user_id: string;
    workspace_id: string;
    created_at: number;
  };
  oauth_federated_sign_ins: {
    state_hash: string;
    workspace_id: string;
    provider_id: string;
    binding_hash: string;
    request: string;
    created_at: number;
    expires_at: number;
    used_at: number | null;
  };
}
