/** mask — the streaming secret masker (in progress). */
export {};
