/** The database commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const DATABASES_HELP = `  databases connect NAME --host H [--port N] --database DB --username U [--tls-mode verify-full|require|disable]
                                        register a target PostgreSQL; the admin password is read from stdin
  databases connections                 target databases (never a password)
  databases disconnect NAME             delete a connection no role uses
  databases role NAME --connection C [--default-ttl SECONDS] [--max-ttl SECONDS] [--revocation-file F] [--renew-file F]
                                        write a role; its creation statements are read from stdin
  databases roles                       roles and their TTLs
  databases rm-role NAME                delete a role none of whose leases is open
  databases creds ROLE [--ttl SECONDS]  a fresh login and password, with a lease (the password is shown once)
  databases leases [--role R] [--state active|revoking|revoked] [--limit N] [--all]
  databases lease LEASE_ID              a lease and its revocation state
  databases renew LEASE_ID [--increment SECONDS]
  databases revoke LEASE_ID             drop the login and end its sessions`;

export const DATABASES_OPTIONS = flags([
  'database',
  'username',
  'tls-mode',
  'connection',
  'default-ttl',
  'max-ttl',
  'revocation-file',
  'renew-file',
  'state',
  'increment',
]);
