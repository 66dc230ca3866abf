// tap.mjs: the small TAP printer the browser tests share: check() runs one test and prints its "ok"/"not ok" line
// (with the error's first lines as comments), assert() fails it, and tap counts tests and failures for the plan.
export const tap = { n: 0, failed: 0 };

export async function check(description, fn) {
  tap.n++;
  try {
    await fn();
    console.log(`ok ${tap.n} - ${description}`);
  } catch (err) {
    tap.failed++;
    console.log(`not ok ${tap.n} - ${description}`);
    for (const line of String(err?.stack || err).split('\n').slice(0, 12)) console.log(`#   ${line}`);
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}
