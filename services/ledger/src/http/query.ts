import { BadRequestException } from '@nestjs/common';

export function parseNonNegative(value: string, name: string): number {
  // At most 15 digits: beyond safe integers a "position" would silently become another number.
  if (!/^\d{1,15}$/.test(value)) throw badQuery(name, `${name} must be a non-negative integer`);
  return Number(value);
}

export function optionalNonNegative(value: string | undefined, name: string): number | undefined {
  return value === undefined || value === '' ? undefined : parseNonNegative(value, name);
}

export function requiredNonNegative(value: string | undefined, name: string): number {
  if (value === undefined || value === '') throw badQuery(name, `${name} is required`);
  return parseNonNegative(value, name);
}

export function badQuery(path: string, message: string, code = 'invalid_query') {
  return new BadRequestException({ error: { code, message, path } });
}
