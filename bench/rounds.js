// How the A/B load benchmarks (http, pg-cold, gateway, oauth, code-exchange) measure unless told
// otherwise: the servers loaded in turn, a warm-up run each, then rounds in alternating order.
// Each benchmark's own options come on top.

/** The measured plan: 3 rounds of 5 s a server after a 2 s warm-up, at 10 connections. */
export const ROUNDS = { rounds: 3, seconds: 5, warmupSeconds: 2, connections: 10, tesseraNodeArgs: [] };

/** `--quick`: enough to see that a benchmark runs, too little to measure. */
export const QUICK_ROUNDS = { rounds: 2, seconds: 2, warmupSeconds: 1 };
