// Bound claims as Vault's jwt auth compares them, and the CI platforms' claim shapes.
import { describe, expect, it } from "vitest";
import { githubClaims, gitlabClaims, globMatch, jenkinsClaims } from "@vaultgate/devvault";
import { checkBoundClaims, claimAt, userClaimValue } from "../src/auth/bound-claims.js";

describe("globMatch", () => {
  it.each([
    ["repo:acme/app*", "repo:acme/app-evil:ref:refs/heads/main", true],
    ["repo:acme/app:*", "repo:acme/app:ref:refs/heads/main", true],
    ["repo:acme/app:*", "repo:acme/other:ref:x", false],
    ["*", "", true],
    ["a*b*c", "aXXbYYc", true],
    ["a*b*c", "aXXcYYb", false],
    ["ab*ba", "aba", false],
    ["exact", "exact", true],
    ["exact", "exactly", false],
    ["*:main", "repo:x:main", true],
  ])("%s ~ %s → %s", (pattern, value, expected) => expect(globMatch(pattern, value)).toBe(expected));
});

describe("checkBoundClaims", () => {
  const claims = { repository: "acme/app", run: 7, flag: true, groups: ["dev", "ops"], nested: { team: "core" } };
  it.each([
    [{ repository: "acme/app" }, "string", undefined],
    [{ repository: ["x", "acme/app"] }, "string", undefined],
    [{ repository: "acme/*" }, "string", 'claim "repository" does not match any associated bound claim values'],
    [{ repository: "acme/*" }, "glob", undefined],
    [{ run: 7 }, "string", undefined],
    [{ run: "7" }, "string", 'claim "run" does not match any associated bound claim values'],
    [{ flag: "true" }, "string", 'claim "flag" does not match any associated bound claim values'],
    [{ groups: "ops" }, "string", undefined],
    [{ "/nested/team": "core" }, "string", undefined],
    [{ environment: "production" }, "string", 'claim "environment" is missing'],
  ] as const)("%j (%s) → %s", (bound, type, expected) => expect(checkBoundClaims(bound, type, claims)).toBe(expected));

  it("reads JSON pointers and the user claim as a string only", () => {
    expect(claimAt({ "a/b": { c: 1 } }, "/a~1b/c")).toBe(1);
    expect(userClaimValue({ sub: "x" }, "sub")).toEqual({ value: "x" });
    expect(userClaimValue({ run: 7 }, "run")).toEqual({ error: 'claim "run" could not be converted to string' });
    expect(userClaimValue({}, "sub")).toEqual({ error: 'claim "sub" not found in token' });
  });
});

describe("platform claims", () => {
  it("shapes GitHub, GitLab and Jenkins tokens with their real claim names", () => {
    expect(githubClaims("aud", { repository: "org/svc", environment: "prod" })).toMatchObject({
      aud: "aud",
      sub: "repo:org/svc:environment:prod",
      repository_owner: "org",
      environment: "prod",
      job_workflow_ref: "org/svc/.github/workflows/deploy.yml@refs/heads/main",
    });
    expect(githubClaims("aud", { ref: "refs/tags/v1" })).toMatchObject({
      sub: "repo:acme/app:ref:refs/tags/v1",
      ref_type: "tag",
    });
    expect(gitlabClaims("aud", { projectPath: "grp/sub/proj", ref: "v2", refType: "tag" })).toMatchObject({
      sub: "project_path:grp/sub/proj:ref_type:tag:ref:v2",
      namespace_path: "grp/sub",
      ref_path: "refs/tags/v2",
    });
    expect(jenkinsClaims("aud", { jenkinsUrl: "https://ci.example.com", job: "team/app/deploy", buildNumber: 3 })).toEqual({
      aud: "aud",
      sub: "https://ci.example.com/job/team/job/app/job/deploy/",
      build_number: 3,
    });
  });
});
