/** The end-users commands' lines in `tessera --help`, and their flags: read without loading the commands. */

import { flags } from './flag-help.js';

export const END_USERS_HELP = `  end-users create --email E [--name N] [--email-verified] [--password-file FILE]
                                        create an end user (who signs in to the workspace's apps); the password
                                        is read from FILE or stdin
  end-users list [--limit N] [--all]    end users, and whether each is disabled
  end-users get|disable|enable|rm USER_ID
  end-users grants USER_ID              the apps the user allowed, their scopes and live refresh tokens
  end-users revoke-grant USER_ID CLIENT_ID   forget the consent and revoke the app's refresh tokens
  end-users end-sessions USER_ID        end every sign-in, revoke every grant, forget every consent
  end-users reset-second-factor USER_ID forget the user's TOTP second factor (they enrol again on their account page)`;

export const END_USERS_OPTIONS = flags(['password-file'], ['email-verified']);
