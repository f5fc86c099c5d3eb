import { registerDecorator, ValidationOptions } from 'class-validator';

export const MAX_DESTINATION_URL_LENGTH = 2048;

/** Why `value` is not an acceptable destination, or null when it is. Parsed with WHATWG URL, not a regex. */
export function destinationUrlProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_DESTINATION_URL_LENGTH) return `must be at most ${MAX_DESTINATION_URL_LENGTH} characters`;
  // URL() would quietly strip whitespace and accept `https:host`; require the plain absolute form.
  if (/[\s\u0000-\u001f\u007f]/.test(value) || !/^https:\/\//i.test(value)) return 'must be an absolute https:// URL';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a valid URL';
  }
  if (url.protocol !== 'https:' || url.hostname === '') return 'must be an absolute https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not contain credentials';
  return null;
}

export function IsHttpsUrl(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isHttpsUrl',
      target: target.constructor,
      propertyName: propertyName as string,
      options,
      validator: {
        validate: (value: unknown) => destinationUrlProblem(value) === null,
        defaultMessage: (args) => `${args?.property} ${destinationUrlProblem(args?.value) ?? 'is invalid'}`,
      },
    });
}
