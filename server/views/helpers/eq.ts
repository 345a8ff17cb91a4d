// {{#if (eq role "admin")}}…{{/if}}: strict equality of two values.
export const eq = (a: unknown, b: unknown) => a === b;
