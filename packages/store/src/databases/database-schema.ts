/** Tables of dynamic database credentials (migration 0016). */
export interface DatabaseTables {
  database_connections: {
    id: string;
    workspace_id: string;
    name: string;
    plugin: string;
    host: string;
    port: number;
    database: string;
    tls_mode: string;
    username: string;
    password_ciphertext: string;
    created_at: number;
    updated_at: number;
  };
  database_roles: {
    id: string;
    workspace_id: string;
    name: string;
    connection_id: string;
    creation_statements: string;
    revocation_statements: string | null;
    renew_statements: string | null;
    default_ttl_seconds: number;
    max_ttl_seconds: number;
    created_at: number;
    updated_at: number;
  };
  database_leases: {
    id: string;
    workspace_id: string;
    role_id: string;
    role_name: string;
    connection_id: string;
    login: string;
    state: string;
    issued_to: string;
    issued_at: number;
    expires_at: number;
    max_expires_at: number;
    renewals: number;
    revoke_reason: string | null;
    attempts: number;
    next_attempt_at: number | null;
    last_error: string | null;
    revoked_at: number | null;
  };
}
