import { api, ApiError, chooseWorkspace, chosenWorkspace, type SessionInfo } from './api.js';

/**
 * The session as the server describes it, in the chosen workspace. A choice the user no longer
 * reaches (403) is forgotten, and the session read again in the home workspace.
 */
export async function loadSession(): Promise<SessionInfo> {
  try {
    return await api<SessionInfo>('GET', '/console/api/session', undefined, { quiet401: true });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 403 && chosenWorkspace() !== undefined)) throw err;
    chooseWorkspace(undefined);
    return api<SessionInfo>('GET', '/console/api/session', undefined, { quiet401: true });
  }
}
