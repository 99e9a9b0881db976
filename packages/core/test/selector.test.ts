// Selectors are JSONata (the jsonata package), read the way hashicorp/vault-action reads
// them: plain names are keys, dotted literal keys win over paths, `*`/`**` keep their
// meaning, and functions and filters evaluate against the secret's data.
import { describe, expect, it } from "vitest";
import { ConfigError, parseSecretsSyntax, parseSelector, prepareSelectors, selectValue } from "@vaultgate/core";

const data = {
  password: "pw-1",
  "api-key": "k-2",
  "tls.crt": "CERT",
  port: 5432,
  enabled: true,
  jsonString: '{"x":1,"y":"qux"}',
  jsonData: { x: 1, y: "qux" },
  nested: { deep: { value: "v-3" }, "dot.ted": "d-4" },
  users: [
    { name: "ann", role: "admin", age: 41 },
    { name: "bob", role: "dev", age: 29 },
    { name: "cy", role: "admin", age: 35 },
  ],
  list: ["a", "b", "c"],
};

const select = (text: string) => selectValue(data, parseSelector(text, "test"));

describe("JSONata selectors", () => {
  it.each([
    ["password", "pw-1"],
    ['"api-key"', "k-2"],
    ["api-key", "k-2"],
    ["tls.crt", "CERT"],
    ['"tls.crt"', "CERT"],
    ["port", "5432"],
    ["enabled", "true"],
    ["jsonString", '{"x":1,"y":"qux"}'],
    ["jsonData", '{"x":1,"y":"qux"}'],
    ["jsonData.y", "qux"],
    ["jsonData.x", "1"],
    ["nested.deep.value", "v-3"],
    ["nested.`dot.ted`", "d-4"],
    ['nested."dot.ted"', "d-4"],
    ["list[1]", "b"],
    ["list[-1]", "c"],
  ])("selects %s as %j", async (text, expected) => {
    expect(await select(text)).toBe(expected);
  });

  it.each([
    ["jsonData.$keys()", '["x","y"]'],
    ["$keys()", JSON.stringify(Object.keys(data))],
    ["$count(users)", "3"],
    ["$uppercase(password)", "PW-1"],
    ["$join(list, ',')", "a,b,c"],
    ['$join(list, "\\n")', "a\nb\nc"],
    ["$string(port)", "5432"],
    ["$base64encode(password)", Buffer.from("pw-1").toString("base64")],
    ['$contains(password, "pw")', "true"],
    ["$sum(users.age)", "105"],
  ])("evaluates the function %s", async (text, expected) => {
    expect(await select(text)).toBe(expected);
  });

  it.each([
    ['users[role="admin"].name', '["ann","cy"]'],
    ['users[role="dev"].name', "bob"],
    ["users[age>30][0].name", "ann"],
    ['users[name="cy"].age', "35"],
    ["users[age>100].name", undefined],
    ["$filter(users, function($u) { $u.age < 30 }).name", "bob"],
    ["users^(age).name", '["bob","cy","ann"]'],
  ])("applies the filter %s", async (text, expected) => {
    expect(await select(text)).toBe(expected);
  });

  it("returns undefined for what is not there, and names a failed evaluation", async () => {
    expect(await select("missing")).toBeUndefined();
    expect(await select("nested.none.value")).toBeUndefined();
    await expect(select("$number(password)")).rejects.toThrow(ConfigError);
    await expect(select("$number(password)")).rejects.toThrow(/^The selector "\$number\(password\)" failed: /);
  });

  it("refuses a syntax error before login, with the position", async () => {
    await expect(prepareSelectors([{ path: "p", selector: parseSelector("users[role=", "secrets line 3") }])).rejects.toThrow(
      /^Invalid selector "users\[role=" in secrets line 3: .*\(at character \d+\)\.$/,
    );
  });

  it("keeps * and ** as every key", () => {
    expect(parseSelector("*", "t")).toEqual({ kind: "all", uppercase: true });
    expect(parseSelector("**", "t")).toEqual({ kind: "all", uppercase: false });
  });

  it("names entries as vault-action does, and needs a name where vault-action does", async () => {
    const [keys] = parseSecretsSyntax("secret/data/test-json-data jsonData.$keys() | KEYS");
    expect(keys).toMatchObject({ envName: "KEYS", outputName: "KEYS", selector: { kind: "expr", text: "jsonData.$keys()" } });
    const [path] = parseSecretsSyntax("secret/data/x nested.deep.value");
    expect(path).toMatchObject({ envName: "NESTED__DEEP__VALUE", outputName: "nested__deep__value" });
    await expect(prepareSelectors(parseSecretsSyntax('secret/data/x users[role="admin"].name'))).rejects.toThrow(/needs a name/);
    await expect(prepareSelectors(parseSecretsSyntax("secret/data/x $count(users)"))).rejects.toThrow(/needs a name/);
    await expect(prepareSelectors(parseSecretsSyntax("secret/data/x nested.deep.value"))).resolves.toBeUndefined();
  });
});
