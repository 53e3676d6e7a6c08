'use strict';
// Usage: wait-ready.js URL PID TIMEOUT_SECONDS — polls URL until it answers 200; fails early if PID dies.
const [url, pidArg, timeoutArg] = process.argv.slice(2);
const pid = Number(pidArg);
const deadline = Date.now() + Number(timeoutArg || 30) * 1000;
function alive() {
  try { process.kill(pid, 0); return true; } catch { return false; }
}
(async () => {
  let last = 'no attempt';
  while (Date.now() < deadline) {
    if (!alive()) {
      console.error(`wait-ready: server process ${pid} exited before ${url} became ready`);
      process.exit(1);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status === 200) process.exit(0);
      last = `status ${res.status}`;
    } catch (e) {
      last = String(e.cause?.code || e.message);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  console.error(`wait-ready: ${url} not ready within ${timeoutArg}s (last: ${last})`);
  process.exit(1);
})();
