/** The users commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const USERS_HELP = `  users create --email E [--role owner|admin|viewer] [--name N]
                                        create a console user (default role: owner); the password is read
                                        from stdin, or made up and printed once when stdin is a terminal
  users list                            console users, their roles, other workspaces and whether they enrolled a second factor
  users unlock EMAIL                    lift a console user's sign-in lockout (audited)
  users workspaces EMAIL --other-workspaces ID,ID
                                        set the workspaces a console user reaches besides its home ('' for none; audited)`;

export const USERS_OPTIONS = flags(['email', 'role']);
