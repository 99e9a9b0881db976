/** VERSION is vaultgate's version, kept in step with the packages' package.json. */
export const VERSION = "0.1.0";
