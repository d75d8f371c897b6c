/** The syntax tree of the expression language (expression.ts): what the parser builds and the evaluator walks. */

export type Segment = string | number;

export type ExprNode =
  | { t: 'lit'; v: string | number | boolean | null }
  | { t: 'path'; segs: Segment[]; pos: number; text: string }
  | { t: 'list'; items: ExprNode[] }
  | { t: 'neg' | 'not'; a: ExprNode }
  | { t: 'and' | 'or'; a: ExprNode; b: ExprNode }
  | { t: 'bin'; op: BinaryOp; a: ExprNode; b: ExprNode };

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | '+' | '-' | '*' | '/' | '%';
