// A storage adapter for node-oidc-provider on SQLite, for bench/code-exchange.js: codes, sessions,
// interactions and grants in one table of one file, opened the way Tessera opens its own (WAL,
// synchronous = FULL: a write is on disk before it is acknowledged), so that both servers pay the
// same price for keeping a code. oidc-provider ships only an in-memory adapter, documented as not
// for production; this follows its adapter interface (upsert, find, findByUid, findByUserCode,
// consume, destroy, revokeByGrantId) and the shape of its in-memory one. Each write is one
// autocommitted statement, prepared once.
import Database from 'better-sqlite3';

/** What a grant's revocation takes with it, as in oidc-provider's in-memory adapter. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

export function sqliteAdapter(file) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`create table if not exists oidc_entries (
    key text primary key, model text not null, payload text not null,
    grant_id text, uid text, user_code text, expires_at integer)`);
  db.exec('create index if not exists oidc_entries_grant on oidc_entries (grant_id)');
  db.exec('create index if not exists oidc_entries_uid on oidc_entries (uid)');
  db.exec('create index if not exists oidc_entries_user_code on oidc_entries (user_code)');
  const statements = {
    upsert: db.prepare(
      'insert or replace into oidc_entries (key, model, payload, grant_id, uid, user_code, expires_at) values (?, ?, ?, ?, ?, ?, ?)',
    ),
    find: db.prepare('select payload, expires_at from oidc_entries where key = ?'),
    findBy: (column) => db.prepare(`select payload, expires_at from oidc_entries where model = ? and ${column} = ?`),
    consume: db.prepare("update oidc_entries set payload = json_set(payload, '$.consumed', ?) where key = ?"),
    destroy: db.prepare('delete from oidc_entries where key = ?'),
    revoke: db.prepare('delete from oidc_entries where grant_id = ?'),
  };
  const byUid = statements.findBy('uid');
  const byUserCode = statements.findBy('user_code');
  const live = (row) =>
    row === undefined || (row.expires_at !== null && row.expires_at <= Date.now()) ? undefined : JSON.parse(row.payload);

  class SqliteAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : null;
      statements.upsert.run(
        this.key(id),
        this.model,
        JSON.stringify(payload),
        GRANTABLE.has(this.model) ? (payload.grantId ?? null) : null,
        payload.uid ?? null,
        payload.userCode ?? null,
        expiresAt,
      );
    }

    async find(id) {
      return live(statements.find.get(this.key(id)));
    }

    async findByUid(uid) {
      return live(byUid.get(this.model, uid));
    }

    async findByUserCode(userCode) {
      return live(byUserCode.get(this.model, userCode));
    }

    async consume(id) {
      statements.consume.run(Math.floor(Date.now() / 1000), this.key(id));
    }

    async destroy(id) {
      statements.destroy.run(this.key(id));
    }

    async revokeByGrantId(grantId) {
      statements.revoke.run(grantId);
    }
  }
  return (model) => new SqliteAdapter(model);
}
