// gitlab-set-polyfill.mjs — loaded with `node --import` before gitlab-ci-local, whose
// bundled execa calls Set.prototype.union at load time: the Set methods of ES2025
// (Node 22+) for the Node 20 this project runs on. Each is defined only when missing,
// non-enumerable like the built-ins, and follows the spec's results for Set arguments
// (the "set-like" arguments the spec also allows only need `has`, `keys` and `size`).

/** keysOf iterates a set-like argument's keys. */
function* keysOf(other) {
  const iterator = other.keys();
  for (let step = iterator.next(); !step.done; step = iterator.next()) yield step.value;
}

const methods = {
  union(other) {
    const result = new Set(this);
    for (const value of keysOf(other)) result.add(value);
    return result;
  },
  intersection(other) {
    const result = new Set();
    for (const value of this) if (other.has(value)) result.add(value);
    return result;
  },
  difference(other) {
    const result = new Set(this);
    for (const value of this) if (other.has(value)) result.delete(value);
    return result;
  },
  symmetricDifference(other) {
    const result = new Set(this);
    for (const value of keysOf(other)) {
      if (this.has(value)) result.delete(value);
      else result.add(value);
    }
    return result;
  },
  isSubsetOf(other) {
    for (const value of this) if (!other.has(value)) return false;
    return true;
  },
  isSupersetOf(other) {
    for (const value of keysOf(other)) if (!this.has(value)) return false;
    return true;
  },
  isDisjointFrom(other) {
    for (const value of this) if (other.has(value)) return false;
    return true;
  },
};

for (const [name, fn] of Object.entries(methods)) {
  if (typeof Set.prototype[name] !== "function") {
    Object.defineProperty(Set.prototype, name, { value: fn, writable: true, configurable: true, enumerable: false });
  }
}
