/** version — devvault's version. */
export const VERSION = "0.1.0";

/** SERVER_VERSION is what sys/health reports as `version`, marked as devvault. */
export const SERVER_VERSION = `${VERSION}+devvault`;
