/**
 * The first cycle in a fallback graph, as the names along it ending where it started
 * (`["a", "b", "a"]`), or undefined. Targets that are not keys (providers) end a path.
 */
export function findFallbackCycle(graph: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (node: string): string[] | undefined => {
    const at = onPath.indexOf(node);
    if (at !== -1) return [...onPath.slice(at), node];
    if (done.has(node) || !(node in graph)) return undefined;
    onPath.push(node);
    for (const next of graph[node] ?? []) {
      const cycle = visit(next);
      if (cycle !== undefined) return cycle;
    }
    onPath.pop();
    done.add(node);
    return undefined;
  };
  for (const node of Object.keys(graph).sort()) {
    const cycle = visit(node);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}
