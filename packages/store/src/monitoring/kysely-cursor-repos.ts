import type { CursorRepos } from '@tessera/core';
import { changedOne, insertedOne, num, type MonitoringDb } from './monitoring-sql.js';

/** The cursor port over Kysely: named positions, advanced by compare-and-set. */
export function kyselyCursorRepos(db: MonitoringDb): CursorRepos {
  return {
    async getCursor(name) {
      const r = await db.selectFrom('monitoring_cursors').select('value').where('name', '=', name).executeTakeFirst();
      return r === undefined ? undefined : num(r.value);
    },

    async advanceCursor(name, from, to) {
      if (from === undefined)
        return insertedOne(
          await db
            .insertInto('monitoring_cursors')
            .values({ name, value: to })
            .onConflict((oc) => oc.column('name').doNothing())
            .executeTakeFirst(),
        );
      const r = await db
        .updateTable('monitoring_cursors')
        .set({ value: to })
        .where('name', '=', name)
        .where('value', '=', from)
        .executeTakeFirst();
      return changedOne(r);
    },
  };
}
