import { assert } from "../src/std.ts";
import { FcosError } from "../src/errors.ts";

/** The FcosError that `fn` throws or rejects with, whose message contains `part`; fails otherwise. */
export async function fcosError(fn: () => unknown, part: string): Promise<FcosError> {
  let error: unknown;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert(error instanceof FcosError, `expected an FcosError with "${part}", got ${error}`);
  assert(error.message.includes(part), `"${error.message}" does not contain "${part}"`);
  return error;
}
