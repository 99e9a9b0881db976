declare module "proxy-from-env" {
  /** getProxyForUrl returns the proxy URL for `url` per *_PROXY/NO_PROXY, or "" for none. */
  export function getProxyForUrl(url: string | URL): string;
}
