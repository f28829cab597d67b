import { describe, expect, it } from 'vitest';
import { generateLoginName, generatePassword } from './credential-names.js';
import { checkStatements, DEFAULT_RENEW_STATEMENTS, DEFAULT_REVOCATION_STATEMENTS, renderStatements } from './statement-templates.js';

const quote = {
  ident: (v: string) => `"${v.replace(/"/g, '""')}"`,
  literal: (v: string) => `'${v.replace(/'/g, "''")}'`,
};

describe('role statements', () => {
  it('quote {{name}} as an identifier and the others as literals, whatever the value holds', () => {
    const sql = renderStatements(
      'CREATE ROLE {{name}} PASSWORD {{password}} VALID UNTIL {{ expiration }};',
      {
        name: 'a"b',
        password: "x'; DROP TABLE t; --",
        expiration: '2026-12-06T10:00:00.000Z',
      },
      quote,
    );
    expect(sql).toBe(`CREATE ROLE "a""b" PASSWORD 'x''; DROP TABLE t; --' VALID UNTIL '2026-12-06T10:00:00.000Z';`);
  });

  it("read Vault's quoted placeholders with the quoting of their quotes", () => {
    const sql = renderStatements(`GRANT r TO "{{name}}"; SELECT '{{name}}', '{{password}}';`, { name: 'n', password: 'p' }, quote);
    expect(sql).toBe(`GRANT r TO "n"; SELECT 'n', 'p';`);
  });

  it('leave a placeholder without a value as it is', () => {
    expect(renderStatements('DROP ROLE {{name}}; -- {{password}}', { name: 'n' }, quote)).toBe('DROP ROLE "n"; -- {{password}}');
  });

  it('refuse unknown placeholders, missing required ones, and empty or oversized statements', () => {
    expect(() => checkStatements('creation', 'CREATE ROLE {{name}} PASSWORD {{password}} {{role}}')).toThrow(
      /\{\{role\}\} is not one of them/,
    );
    expect(() => checkStatements('creation', 'CREATE ROLE {{name}} LOGIN')).toThrow(/must use \{\{password\}\}/);
    expect(() => checkStatements('revocation', 'DROP ROLE {{name}} {{password}}')).toThrow(/revocationStatements may use \{\{name\}\};/);
    expect(() => checkStatements('renew', ' ')).toThrow(/must not be empty/);
    expect(() => checkStatements('creation', `{{name}} {{password}} ${'x'.repeat(9000)}`)).toThrow(/at most 8192/);
    expect(() => checkStatements('creation', 'CREATE ROLE {{name}} PASSWORD {{password}} VALID UNTIL {{expiration}}')).not.toThrow();
    expect(() => checkStatements('revocation', DEFAULT_REVOCATION_STATEMENTS)).not.toThrow();
    expect(() => checkStatements('renew', DEFAULT_RENEW_STATEMENTS)).not.toThrow();
  });

  it('generate logins and passwords from alphabets no quote can come from', () => {
    const names = new Set(Array.from({ length: 200 }, () => generateLoginName('read-only')));
    expect(names.size).toBe(200);
    for (const n of names) expect(n).toMatch(/^t_read_only_[a-z0-9]{16}$/);
    expect(generateLoginName('x'.repeat(40)).length).toBeLessThanOrEqual(63);
    expect(generatePassword()).toMatch(/^[0-9A-Za-z]{32}$/);
  });
});
