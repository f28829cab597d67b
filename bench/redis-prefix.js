// Redis keys a bench made under a prefix of its own, deleted when it is done.

/** Deletes every key under `prefix`, a SCAN page at a time (never KEYS, which blocks the server). */
export async function deletePrefix(redis, prefix) {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
