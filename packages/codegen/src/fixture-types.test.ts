// The fixture stub's hard cases, checked as types: `npm run typecheck` compiles this file against
// golden/fixture-client.ts (the expectations cost nothing at run time).
import type { ProcedureCaller } from '@volley/client';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  ListOutput,
  MiscInput,
  MiscOutput,
  PingInput,
  ServiceClient,
  ShapesAreaInput,
  ShapesAreaInputPoint,
  ShapesAreaOutputPoint,
  ShapesTreeCategoriesInput,
  ShapesTreeForestInputSchema0,
  ShapesTreeWalkInput,
  UserProfileGetInput,
  UserProfileGetInput2,
} from '../golden/fixture-client.js';

describe('the fixture stub', () => {
  it('types a missing input as undefined, callable without arguments, and a missing output as unknown', () => {
    expectTypeOf<PingInput>().toEqualTypeOf<undefined>();
    expectTypeOf<ServiceClient['ping']>().toEqualTypeOf<ProcedureCaller<undefined, { ok: true }>>();
    expectTypeOf<ListOutput>().toBeUnknown();
  });

  it('keeps recursive types named and recursive', () => {
    expectTypeOf<ShapesTreeWalkInput['left']>().toEqualTypeOf<ShapesTreeWalkInput | null>();
    expectTypeOf<ShapesTreeCategoriesInput['children']>().toEqualTypeOf<ShapesTreeCategoriesInput[]>();
    expectTypeOf<ShapesTreeForestInputSchema0['right']>().toEqualTypeOf<ShapesTreeForestInputSchema0 | null>();
  });

  it('types enums, unions, nullable, arrays, records, tuples; a default is optional only in the input', () => {
    expectTypeOf<MiscInput['level']>().toEqualTypeOf<'low' | 'high'>();
    expectTypeOf<MiscInput['id']>().toEqualTypeOf<string | number>();
    expectTypeOf<MiscInput['note']>().toEqualTypeOf<string | null>();
    expectTypeOf<MiscInput['tags']>().toEqualTypeOf<string[]>();
    expectTypeOf<MiscInput['scores']>().toEqualTypeOf<{ [k: string]: number }>();
    expectTypeOf<MiscInput['pair']>().toEqualTypeOf<[string] | [string, number]>();
    expectTypeOf<MiscInput['limit']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<MiscOutput['limit']>().toEqualTypeOf<number>();
    expectTypeOf<Extract<ShapesAreaInput, { kind: 'polygon' }>['points']>().toEqualTypeOf<ShapesAreaInputPoint[]>();
  });

  it('types a bigint, which JSON Schema cannot express, as unknown', () => {
    expectTypeOf<MiscInput['big']>().toBeUnknown();
    expectTypeOf<MiscOutput['big']>().toBeUnknown();
  });

  it('gives a shared definition and clashing procedure names separate types', () => {
    expectTypeOf<ShapesAreaInputPoint>().toEqualTypeOf<ShapesAreaOutputPoint>();
    expectTypeOf<UserProfileGetInput['id']>().toEqualTypeOf<string>();
    expectTypeOf<UserProfileGetInput2['id']>().toEqualTypeOf<number>();
    expectTypeOf<ServiceClient['user-profile']['get']>().parameter(0).toEqualTypeOf<UserProfileGetInput>();
  });
});
