/**
 * A router made of the cases a stub generator gets wrong: every procedure exists for the shape of
 * its schemas or its documentation, not for what its handler does. `golden/fixture-client.ts` is
 * generated from it.
 */
import { procedure, router } from '@volley/router';
import { z } from 'zod';

interface Category {
  name: string;
  children: Category[];
}
/** Recursive through a type annotation: zod emits `$ref: "#"` for the root. */
const Category: z.ZodType<Category> = z.object({
  name: z.string(),
  get children() {
    return z.array(Category);
  },
});

/** Recursive through getters; nested in a record or an array it lands in `$defs` as `__schema0`. */
const TreeNode = z.object({
  value: z.number(),
  get left() {
    return TreeNode.nullable();
  },
  get right() {
    return TreeNode.nullable();
  },
});

/** A named definition (`$defs.Point`) used by two procedures: their types must not clash. */
const Point = z
  .object({ x: z.number(), y: z.number() })
  .meta({ id: 'Point', title: 'Point', description: 'A point on the plane.' });

const Shape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('circle'), center: Point, radius: z.number() }),
  z.object({ kind: z.literal('polygon'), points: z.array(Point).min(3) }),
]);

const everyShape = z.object({
  level: z.enum(['low', 'high']).describe('How loud; an enum.'),
  id: z.union([z.string(), z.number()]),
  note: z.string().nullable(),
  tags: z.array(z.string()),
  scores: z.record(z.string(), z.number()),
  pair: z.tuple([z.string(), z.number().optional()]),
  limit: z.number().int().default(10).describe('Defaulted: optional in the input, present in the output.'),
  big: z.bigint().describe('Unrepresentable in JSON Schema: typed unknown.'),
  comment: z.string().optional().describe('A description with */ inside, which must not end the comment.'),
});

export const fixtureRouter = router({
  ping: procedure
    .describe('No input at all.')
    .output(z.object({ ok: z.literal(true) }))
    .idempotent()
    .handler(() => ({ ok: true as const })),
  list: procedure
    .describe('Optional input; no output schema, so any value.')
    .input(z.object({ prefix: z.string().optional() }).optional())
    .handler(({ input }) => [input?.prefix ?? '']),
  misc: procedure
    .describe(
      'Enums, unions, nullable, arrays, records, a tuple, a default, a bigint.\nA second line; and a */ that must not close the comment.',
    )
    .input(everyShape)
    .output(everyShape)
    .idempotent()
    .example({
      title: 'quiet, with a */ in a string',
      input: { level: 'low', id: 1, note: null, tags: ['*/'], scores: {}, pair: ['a'], big: 1n },
    })
    .handler(({ input }) => input),
  old: procedure
    .deprecated()
    .output(z.null())
    .handler(() => null),
  older: procedure
    .describe('Still answers.')
    .deprecated('use `misc`; this one */ goes away')
    .handler(() => 'old'),
  shapes: router({
    area: procedure
      .input(Shape)
      .output(z.object({ area: z.number(), center: Point }))
      .example({
        input: { kind: 'circle', center: { x: 0, y: 0 }, radius: 1 },
        output: { area: Math.PI, center: { x: 0, y: 0 } },
      })
      .example({
        title: 'a triangle',
        input: {
          kind: 'polygon',
          points: [
            { x: 0, y: 0 },
            { x: 1, y: 0 },
            { x: 0, y: 1 },
          ],
        },
      })
      .handler(({ input }) => ({ area: 0, center: input.kind === 'circle' ? input.center : { x: 0, y: 0 } })),
    tree: router({
      walk: procedure
        .input(TreeNode)
        .output(z.array(z.number()))
        .idempotent()
        .handler(({ input }) => [input.value]),
      forest: procedure
        .input(z.array(TreeNode))
        .output(z.record(z.string(), TreeNode))
        .handler(() => ({})),
      categories: procedure
        .input(Category)
        .output(z.record(z.string(), Category))
        .handler(({ input }) => ({ [input.name]: input })),
    }),
  }),
  // Two names that make the same PascalCase: the second gets numbered types, and the hyphenated
  // namespace is a quoted member.
  'user-profile': router({
    get: procedure
      .input(z.object({ id: z.string() }))
      .output(z.string())
      .handler(({ input }) => input.id),
  }),
  userProfile: router({
    get: procedure
      .input(z.object({ id: z.number() }))
      .output(z.number())
      .handler(({ input }) => input.id),
  }),
});
