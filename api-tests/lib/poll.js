// Bruno has no "wait until": a request that depends on asynchronous work (fulfillment, events)
// first polls with bru.sendRequest, a bounded number of times, and then asserts on its own answer.

/**
 * GETs `url` until `until(body)` is true: at most `attempts` times, `intervalMs` apart (each
 * request times out after 5 s). Resolves to the body that satisfied it; throws with the last
 * answer when it never did, so the run fails with the reason instead of hanging.
 */
async function pollUntil(bru, { url, label, until, attempts = 40, intervalMs = 500 }) {
  let last = 'no answer';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      // validateStatus: null: a non-2xx (e.g. 503 while a dependency restarts) is an answer, not a throw.
      const res = await bru.sendRequest({ method: 'GET', url, timeout: 5000, validateStatus: null });
      if (res.status === 200 && until(res.data)) return res.data;
      last = `${res.status} ${JSON.stringify(res.data)}`;
    } catch (err) {
      last = String(err && err.message);
    }
    if (attempt < attempts) await bru.sleep(intervalMs);
  }
  throw new Error(`${label}: not seen after ${attempts} attempts ${intervalMs} ms apart; last answer: ${last}`);
}

module.exports = { pollUntil };
