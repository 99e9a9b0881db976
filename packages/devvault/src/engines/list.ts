/** engines/list — LIST semantics shared by the KV engines: immediate children, folders end with "/". */

/** listKeys returns the sorted direct children of `prefix` among `paths`. */
export function listKeys(paths: Iterable<string>, prefix: string): string[] {
  const base = prefix === "" ? "" : `${prefix.replace(/\/+$/, "")}/`;
  const keys = new Set<string>();
  for (const path of paths) {
    if (!path.startsWith(base)) continue;
    const rest = path.slice(base.length);
    const slash = rest.indexOf("/");
    keys.add(slash === -1 ? rest : rest.slice(0, slash + 1));
  }
  keys.delete("");
  return [...keys].sort();
}
