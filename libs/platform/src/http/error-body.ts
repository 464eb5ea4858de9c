/** The one error shape of the public API: a stable code, a human message, and where in the input. */
export interface ApiError {
  code: string;
  message: string;
  path?: string;
}
export const apiError = (code: string, message: string, path?: string): ApiError =>
  path === undefined ? { code, message } : { code, message, path };
