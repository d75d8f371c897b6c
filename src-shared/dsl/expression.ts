/**
 * The small, safe expression language of `when:` and of `{{ … }}` (SPEC section 3):
 * literals, paths (`steps[0].found`, `steps.merge.page_count`, `row["氏名"]`), comparisons,
 * `and or not`, `+ - * / %`, unary minus, `in` / `not in`, list literals and parentheses.
 *
 * No calls, no attribute access to host objects (only own data properties of plain JSON values,
 * plus `length` of lists and strings), bounded size and depth: an expression is parsed once and
 * evaluated in time proportional to its (bounded) size.
 */

export * from './expression-ast';
export * from './expression-parse';
export * from './expression-eval';
