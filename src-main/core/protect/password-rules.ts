/** Password rules, kept free of node:crypto so the contract (and so the renderer) can import them. */
export const MIN_PASSWORD_LENGTH = 10;
