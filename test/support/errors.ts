/** A failed request as kernel/requester.ts reports it (and Node's fs): the errno name in .code. */
export const kernelError = (operation: string, code: string): Error => Object.assign(new Error(`${operation}: ${code}`), { code });
