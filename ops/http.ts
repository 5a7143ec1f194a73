/** One HTTP call with a hard deadline; never throws. */
export async function probe(
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<{ ok: boolean; status: number; body: string; ms: number; error?: string }> {
  const started = performance.now();
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 3000) });
    const body = await res.text();
    return { ok: res.ok, status: res.status, body, ms: Math.round(performance.now() - started) };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, status: 0, body: "", ms: Math.round(performance.now() - started), error: e.cause?.code ?? e.name };
  }
}
